//! Turning a chart into files: the embedded font, the SVG and PNG backends, PNG encoding with the
//! DPI recorded, CSV, and atomic writes.

use std::fmt::Display;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::{BitMapBackend, DrawingArea, DrawingBackend, IntoDrawingArea, SVGBackend};
use plotters::style::{FontStyle, register_font};

use super::error::{Error, Result};
use super::geometry::Geometry;
use super::layout::Ctx;
use super::style::{Output, Theme};

/// The font family every chart uses: DejaVu Sans, embedded in the binary and registered with
/// plotters under this name. SVG files name it as a CSS family list, so viewers without DejaVu
/// fall back to their sans-serif font.
pub const FONT_FAMILY: &str = "DejaVu Sans, sans-serif";

static REGULAR: &[u8] = include_bytes!("fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("fonts/DejaVuSans-Bold.ttf");

/// The embedded font files (TrueType), regular then bold, with their CSS `font-weight`, so that a
/// page showing the SVGs can embed the very font they were laid out with.
pub fn font_files() -> [(&'static str, &'static [u8]); 2] {
    [("normal", REGULAR), ("bold", BOLD)]
}

/// Registers the embedded DejaVu Sans (regular and bold) with plotters, once per process. The
/// chart functions call this themselves; call it directly only to draw with [`FONT_FAMILY`] in
/// plots of your own.
pub fn register_fonts() -> Result<()> {
    static DONE: OnceLock<std::result::Result<(), &'static str>> = OnceLock::new();
    let outcome = DONE.get_or_init(|| {
        for name in [FONT_FAMILY, "sans-serif"] {
            register_font(name, FontStyle::Normal, REGULAR).map_err(|_| "DejaVuSans.ttf")?;
            register_font(name, FontStyle::Bold, BOLD).map_err(|_| "DejaVuSans-Bold.ttf")?;
        }
        Ok(())
    });
    outcome.map_err(Error::Font)
}

/// A chart that can be drawn on any plotters backend and exported as CSV.
pub(super) trait Chart {
    /// Chart kind for error messages, e.g. `fan`.
    const KIND: &'static str;

    /// Checks the input (finite numbers, consistent lengths).
    fn validate(&self) -> Result<()>;

    /// Draws the whole figure on `root`.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> Result<()>;

    /// The plotted data as CSV files: `(suffix, bytes)`, written as `<stem><suffix>.csv`.
    fn tables(&self) -> Result<Vec<(String, Vec<u8>)>>;

    /// The figure's size in pixels for `output`: the size asked for, or taller when the chart
    /// has more panels or rows than fit in it (a grid that grows).
    fn size(&self, output: &Output, _theme: &Theme) -> (u32, u32) {
        (output.width_px, output.height_px)
    }
}

/// Largest height a chart grows to, in pixels (the largest [`Output`] accepts).
pub(super) const MAX_GROWN_PX: u32 = 20_000;

/// The height of a figure that needs `content_pt` points of panels below `chrome_pt` points of
/// title, legend and notes: at least `output.height_px`, at most [`MAX_GROWN_PX`].
pub(super) fn grown_height(output: &Output, needed_pt: f64) -> u32 {
    let px = (needed_pt * output.dpi / 72.0).ceil().max(0.0) as u32;
    px.max(output.height_px).min(MAX_GROWN_PX)
}

/// Draws `chart` as it would be written and returns its [`Geometry`] (tick labels, series
/// colours, panels), without writing a file.
pub(super) fn geometry_of<C: Chart>(chart: &C, output: &Output, theme: &Theme) -> Result<Geometry> {
    output.validate()?;
    chart.validate()?;
    register_fonts()?;
    let size = chart.size(output, theme);
    let mut text = String::new();
    let ctx = Ctx::new(theme, output);
    {
        let root = SVGBackend::with_string(&mut text, size).into_drawing_area();
        chart.draw(&root, &ctx).map_err(|e| match e {
            Error::Draw { message, .. } => Error::Draw {
                chart: C::KIND,
                message,
            },
            other => other,
        })?;
        root.present().map_err(draw_err)?;
    }
    Ok(ctx.geometry.into_inner())
}

/// A plotters error as our error (the chart kind is filled in by [`render`]).
pub(super) fn draw_err<E: Display>(e: E) -> Error {
    Error::Draw {
        chart: "",
        message: e.to_string(),
    }
}

/// Renders `chart` into `dir` as `<stem>.svg`/`<stem>.png` (per `output.formats`) and its
/// tables as CSV; returns the paths written, in the order CSV, SVG, PNG.
pub(super) fn render<C: Chart>(
    chart: &C,
    dir: &Path,
    stem: &str,
    output: &Output,
    theme: &Theme,
) -> Result<Vec<PathBuf>> {
    output.validate()?;
    if stem.is_empty() || stem.contains(['/', '\\']) || stem.starts_with('.') {
        return Err(Error::Output(format!(
            "file stem {stem:?} must be a plain, non-hidden file name"
        )));
    }
    chart.validate()?;
    register_fonts()?;
    let with_kind = |e: Error| match e {
        Error::Draw { message, .. } => Error::Draw {
            chart: C::KIND,
            message,
        },
        other => other,
    };
    fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut written = Vec::new();
    for (suffix, bytes) in chart.tables()? {
        let path = dir.join(format!("{stem}{suffix}.csv"));
        write_atomic(&path, &bytes)?;
        written.push(path);
    }
    if output.formats.svg {
        let svg = to_svg(chart, output, theme).map_err(with_kind)?;
        let path = dir.join(format!("{stem}.svg"));
        write_atomic(&path, svg.as_bytes())?;
        written.push(path);
    }
    if output.formats.png {
        let png = to_png(chart, output, theme).map_err(with_kind)?;
        let path = dir.join(format!("{stem}.png"));
        write_atomic(&path, &png)?;
        written.push(path);
    }
    Ok(written)
}

fn to_svg<C: Chart>(chart: &C, output: &Output, theme: &Theme) -> Result<String> {
    let size = chart.size(output, theme);
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, size).into_drawing_area();
        let ctx = Ctx::new(theme, output);
        chart.draw(&root, &ctx)?;
        root.present().map_err(draw_err)?;
    }
    // Give the SVG its physical size, so that it imports at the intended size.
    let from = format!("width=\"{}\" height=\"{}\"", size.0, size.1);
    let to = format!(
        "width=\"{}in\" height=\"{}in\"",
        inches(size.0, output.dpi),
        inches(size.1, output.dpi)
    );
    Ok(text.replacen(&from, &to, 1))
}

fn inches(px: u32, dpi: f64) -> String {
    let s = format!("{:.4}", px as f64 / dpi);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn to_png<C: Chart>(chart: &C, output: &Output, theme: &Theme) -> Result<Vec<u8>> {
    let (w, h) = chart.size(output, theme);
    let mut pixels = vec![255u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (w, h)).into_drawing_area();
        let ctx = Ctx::new(theme, output);
        chart.draw(&root, &ctx)?;
        root.present().map_err(draw_err)?;
    }
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut bytes, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Default);
        let per_metre = (output.dpi / 0.0254).round() as u32;
        encoder.set_pixel_dims(Some(png::PixelDimensions {
            xppu: per_metre,
            yppu: per_metre,
            unit: png::Unit::Meter,
        }));
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&pixels)?;
        writer.finish()?;
    }
    Ok(bytes)
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over `path`.
pub(super) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        // Best effort: the original error is the one worth reporting.
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(io)
}

/// A CSV table with `header` and `rows` (numbers formatted by the caller).
pub(super) fn csv_table(header: &[&str], rows: Vec<Vec<String>>) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header)?;
    for row in rows {
        w.write_record(&row)?;
    }
    w.into_inner()
        .map_err(|e| Error::Csv(csv::Error::from(e.into_error())))
}

/// A number for CSV: shortest round-trip form (deterministic).
pub(super) fn num(v: f64) -> String {
    format!("{v}")
}
