//! What a drawn chart looks like, as data: where its tick labels are, which colours its series
//! have and how many data points each panel holds. Recorded while a chart is drawn, so that tests
//! (and callers) can check a layout without reading pixels: no two tick labels overlap, no two
//! series share a colour, no panel is empty.

use std::fmt;

/// A text box in pixels of the figure: `x0 <= x1`, `y0 <= y1` (y grows downwards).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextBox {
    /// The text.
    pub text: String,
    /// Left edge.
    pub x0: i32,
    /// Top edge.
    pub y0: i32,
    /// Right edge.
    pub x1: i32,
    /// Bottom edge.
    pub y1: i32,
}

impl TextBox {
    /// Whether the two boxes share more than a pixel's width of area (touching edges and
    /// anti-aliasing slack of one pixel do not count).
    pub fn overlaps(&self, other: &TextBox) -> bool {
        let w = self.x1.min(other.x1) - self.x0.max(other.x0);
        let h = self.y1.min(other.y1) - self.y0.max(other.y0);
        w > 1 && h > 1
    }
}

impl fmt::Display for TextBox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} at ({}, {})–({}, {})",
            self.text, self.x0, self.y0, self.x1, self.y1
        )
    }
}

/// A series as the reader tells it apart: its legend (or direct) label and the colour it is
/// drawn in, as it appears on the background (a translucent band blended with it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeriesColour {
    /// The label.
    pub label: String,
    /// Red, green, blue.
    pub rgb: (u8, u8, u8),
}

/// One plot panel and how many data points were drawn in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PanelData {
    /// The panel's name (its heading, or the chart's title for a single plot).
    pub name: String,
    /// Data points drawn (0: the panel is empty).
    pub points: usize,
}

/// The geometry of a drawn chart (see the module docs); from [`super::AnyChart::geometry`] or the
/// `geometry` method of each chart input.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Geometry {
    /// Width of the figure in pixels.
    pub width: u32,
    /// Height of the figure in pixels (charts with many panels grow taller than asked).
    pub height: u32,
    /// Every tick label drawn (axis ticks, category names, colour-bar ticks).
    pub tick_labels: Vec<TextBox>,
    /// Every series told apart by colour, in drawing order.
    pub series: Vec<SeriesColour>,
    /// Every plot panel.
    pub panels: Vec<PanelData>,
}

impl Geometry {
    /// Pairs of tick labels that overlap each other.
    pub fn overlapping_tick_labels(&self) -> Vec<(&TextBox, &TextBox)> {
        let mut out = Vec::new();
        for (i, a) in self.tick_labels.iter().enumerate() {
            for b in &self.tick_labels[i + 1..] {
                if a.overlaps(b) {
                    out.push((a, b));
                }
            }
        }
        out
    }

    /// Tick labels that reach outside the figure.
    pub fn clipped_tick_labels(&self) -> Vec<&TextBox> {
        let (w, h) = (self.width as i32, self.height as i32);
        self.tick_labels
            .iter()
            .filter(|b| b.x0 < 0 || b.y0 < 0 || b.x1 > w || b.y1 > h)
            .collect()
    }

    /// Pairs of differently labelled series drawn in the same colour.
    pub fn repeated_colours(&self) -> Vec<(&SeriesColour, &SeriesColour)> {
        let mut out = Vec::new();
        for (i, a) in self.series.iter().enumerate() {
            for b in &self.series[i + 1..] {
                if a.rgb == b.rgb && a.label != b.label {
                    out.push((a, b));
                }
            }
        }
        out
    }

    /// Panels drawn without data.
    pub fn empty_panels(&self) -> Vec<&PanelData> {
        self.panels.iter().filter(|p| p.points == 0).collect()
    }

    /// Every layout problem, one line each (empty: none). A figure without any panel is a
    /// problem too.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (a, b) in self.overlapping_tick_labels() {
            out.push(format!("tick labels overlap: {a} and {b}"));
        }
        for b in self.clipped_tick_labels() {
            out.push(format!(
                "tick label outside the {}×{} figure: {b}",
                self.width, self.height
            ));
        }
        for (a, b) in self.repeated_colours() {
            out.push(format!(
                "series {:?} and {:?} share the colour {:?}",
                a.label, b.label, a.rgb
            ));
        }
        for p in self.empty_panels() {
            out.push(format!("panel {:?} is empty", p.name));
        }
        if self.panels.is_empty() {
            out.push("the figure has no panel".into());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(x0: i32, y0: i32, x1: i32, y1: i32) -> TextBox {
        TextBox {
            text: String::new(),
            x0,
            y0,
            x1,
            y1,
        }
    }

    #[test]
    fn boxes_overlap_only_with_area() {
        assert!(b(0, 0, 10, 10).overlaps(&b(5, 5, 15, 15)));
        assert!(!b(0, 0, 10, 10).overlaps(&b(10, 0, 20, 10)), "touching");
        assert!(!b(0, 0, 10, 10).overlaps(&b(9, 0, 20, 10)), "one pixel");
        assert!(!b(0, 0, 10, 10).overlaps(&b(0, 20, 10, 30)));
    }

    #[test]
    fn problems_are_named() {
        let g = Geometry {
            width: 100,
            height: 100,
            tick_labels: vec![b(0, 0, 10, 10), b(5, 5, 15, 15)],
            series: vec![
                SeriesColour {
                    label: "a".into(),
                    rgb: (1, 2, 3),
                },
                SeriesColour {
                    label: "b".into(),
                    rgb: (1, 2, 3),
                },
            ],
            panels: vec![PanelData {
                name: "p".into(),
                points: 0,
            }],
        };
        let p = g.problems();
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(p[0].starts_with("tick labels overlap"));
        assert!(p[1].contains("share the colour"));
        assert!(p[2].contains("empty"));
    }
}
