//! Figure control for papers: a style file (TOML) with the figure's title, axis labels, font
//! size, size in inches, resolution, light or dark background and palette, read into an
//! [`Output`] and a [`Theme`]. Command-line flags override it field by field ([`FigureStyle`]
//! is plain data, so a front end sets what its user gave).
//!
//! ```toml
//! # paper.toml — every key is optional; a [charts] table holding them works too.
//! title = ""            # "" : no title (the paper's caption says it); omit: the chart's own
//! x_label = "Quarter after the shock"
//! y_label = "Credit gap (% of creditworthy demand)"
//! font_scale = 1.2      # every text size times 1.2
//! width = 3.5           # inches
//! height = 2.6          # inches
//! dpi = 600
//! background = "light"  # or "dark"
//! palette = "okabe-ito" # or "tab10"
//! ```

use serde::Deserialize;

use super::error::{Error, Result};
use super::style::{Output, Theme};

/// A figure's style: each field `None` keeps the default (see the module docs for the file).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FigureStyle {
    /// The title of every chart; `""` for none.
    pub title: Option<String>,
    /// The x axis label of every chart.
    pub x_label: Option<String>,
    /// The y axis label of every chart.
    pub y_label: Option<String>,
    /// Factor on every text size (0.5 to 3).
    pub font_scale: Option<f64>,
    /// Width in inches.
    pub width: Option<f64>,
    /// Height in inches (charts with many panels grow taller).
    pub height: Option<f64>,
    /// Resolution in dots per inch (36 to 1200).
    pub dpi: Option<f64>,
    /// `light` (default) or `dark`.
    pub background: Option<String>,
    /// `okabe-ito` (default) or `tab10`.
    pub palette: Option<String>,
}

/// A style file: the keys at the top level, or in a `[charts]` table.
#[derive(Deserialize)]
#[serde(untagged)]
enum File {
    Table { charts: FigureStyle },
    Flat(FigureStyle),
}

impl FigureStyle {
    /// Reads a style file's text (`file` names it in errors).
    pub fn from_toml_str(text: &str, file: &str) -> Result<FigureStyle> {
        // Untagged enums lose serde's message, so try the two forms for a precise one.
        let table: toml::Table =
            toml::from_str(text).map_err(|e| Error::Output(format!("style file {file}: {e}")))?;
        let parsed = if table.contains_key("charts") {
            toml::from_str::<File>(text)
        } else {
            toml::from_str::<FigureStyle>(text).map(File::Flat)
        };
        match parsed {
            Ok(File::Table { charts }) | Ok(File::Flat(charts)) => Ok(charts),
            Err(e) => Err(Error::Output(format!("style file {file}: {e}"))),
        }
    }

    /// Reads a scenario's `[charts]` table (same keys as a style file; `file` names the scenario
    /// in errors) and checks its values, so a bad key or value is refused naming it.
    pub fn from_scenario_table(table: &toml::Table, file: &str) -> Result<FigureStyle> {
        let style: FigureStyle = table
            .clone()
            .try_into()
            .map_err(|e| Error::Output(format!("{file} [charts]: {e}")))?;
        style
            .resolve()
            .map_err(|e| Error::Output(format!("{file} [charts]: {e}")))?;
        Ok(style)
    }

    /// `other`'s fields where it has them, this style's elsewhere (flags over a file).
    pub fn overridden_by(self, other: FigureStyle) -> FigureStyle {
        FigureStyle {
            title: other.title.or(self.title),
            x_label: other.x_label.or(self.x_label),
            y_label: other.y_label.or(self.y_label),
            font_scale: other.font_scale.or(self.font_scale),
            width: other.width.or(self.width),
            height: other.height.or(self.height),
            dpi: other.dpi.or(self.dpi),
            background: other.background.or(self.background),
            palette: other.palette.or(self.palette),
        }
    }

    /// The output size and the theme this style gives, from the defaults
    /// ([`Output::default`], [`Theme::journal`]); errors name the field and its allowed values.
    pub fn resolve(&self) -> Result<(Output, Theme)> {
        let d = Output::default();
        let dpi = self.dpi.unwrap_or(d.dpi);
        let width = self.width.unwrap_or(d.width_px as f64 / d.dpi);
        let height = self.height.unwrap_or(d.height_px as f64 / d.dpi);
        for (name, v) in [("width", width), ("height", height)] {
            if !(v.is_finite() && v > 0.0) {
                return Err(Error::Output(format!(
                    "{name} {v}: must be a positive number of inches"
                )));
            }
        }
        let output = Output {
            formats: d.formats,
            ..Output::inches(width, height, dpi)
        };
        output.validate()?;
        let mut theme = Theme::journal();
        if let Some(f) = self.font_scale {
            if !(0.5..=3.0).contains(&f) {
                return Err(Error::Output(format!("font_scale {f}: must be 0.5 to 3")));
            }
            theme = theme.with_font_scale(f);
        }
        match self.background.as_deref() {
            None | Some("light") => {}
            Some("dark") => theme = theme.into_dark(),
            Some(other) => {
                return Err(Error::Output(format!(
                    "background {other:?}: must be \"light\" or \"dark\""
                )));
            }
        }
        if let Some(p) = &self.palette {
            theme = theme.with_palette(p).ok_or_else(|| {
                Error::Output(format!("palette {p:?}: must be \"okabe-ito\" or \"tab10\""))
            })?;
        }
        theme.text.title = self.title.clone();
        theme.text.x_label = self.x_label.clone();
        theme.text.y_label = self.y_label.clone();
        Ok((output, theme))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_style_file_sets_the_figure() {
        let s = FigureStyle::from_toml_str(
            "title = \"\"\nfont_scale = 1.5\nwidth = 3.5\nheight = 2.5\ndpi = 600\nbackground = \"dark\"\npalette = \"tab10\"\n",
            "paper.toml",
        )
        .expect("parses");
        let (out, theme) = s.resolve().expect("valid");
        assert_eq!((out.width_px, out.height_px), (2100, 1500));
        assert_eq!(theme.text.title.as_deref(), Some(""));
        assert!(theme.is_dark());
        assert!((theme.tick_pt - 12.0).abs() < 1e-9);
        let nested = FigureStyle::from_toml_str("[charts]\ndpi = 300\n", "s.toml").expect("parses");
        assert_eq!(nested.dpi, Some(300.0));
    }

    #[test]
    fn bad_styles_are_refused_by_name() {
        let e = FigureStyle::from_toml_str("colour = 1\n", "s.toml").expect_err("unknown key");
        assert!(e.to_string().contains("colour"), "{e}");
        let e = FigureStyle {
            palette: Some("rainbow".into()),
            ..Default::default()
        }
        .resolve()
        .expect_err("unknown palette");
        assert!(e.to_string().contains("rainbow"), "{e}");
        let flags = FigureStyle {
            dpi: Some(100.0),
            ..Default::default()
        };
        let file = FigureStyle {
            dpi: Some(300.0),
            width: Some(5.0),
            ..Default::default()
        };
        let both = file.overridden_by(flags);
        assert_eq!((both.dpi, both.width), (Some(100.0), Some(5.0)));
    }
}
