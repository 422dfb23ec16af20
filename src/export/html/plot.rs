//! One x-y chart for the findings (ring and working-set curves): linear or log axes,
//! lines with a mark per point, an optional second axis drawn as bars (full flushes per
//! switch), a reference line and a marked x position. Plain SVG, no script.
//!
//! A point whose result is unstable is drawn as its p25-p75 range (a hollow grey box)
//! with no dot, and lines do not pass through it: its median would suggest a precision
//! the samples do not have. An invalid result is a hollow dot, off the line. A value below a log axis (a cost within noise of zero, or
//! negative) sits on the axis as a hollow triangle, its figure in the tooltip, and lines
//! do not pass through it either.

use crate::export::escape::html as escape;
use crate::export::inputs::Entry;
use crate::units::time;

pub use super::axis::Axis;

/// The width of one chart (two fit side by side on the page).
pub const WIDTH: f64 = 540.0;
const LEFT: f64 = 58.0;
const TOP: f64 = 40.0;
const PLOT_H: f64 = 210.0;

/// One point of a line: the median, its p25-p75 range, whether the result is unstable,
/// and a tooltip.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    /// Where on x.
    pub x: f64,
    /// The median.
    pub y: f64,
    /// The 25th percentile.
    pub lo: f64,
    /// The 75th percentile.
    pub hi: f64,
    /// Draw as a range: the median means little.
    pub unstable: bool,
    /// False draws a hollow dot off the line: the run judged the result invalid.
    pub valid: bool,
    /// The tooltip.
    pub tip: String,
}

/// A line: its name in the legend, colour, dash pattern (`""` solid) and points.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The legend entry.
    pub name: String,
    /// Stroke colour.
    pub colour: &'static str,
    /// SVG dash array, empty for solid.
    pub dash: &'static str,
    /// Points, in x order.
    pub marks: Vec<Mark>,
}

/// Bars on a second axis at the right: (x, value) in `colour`.
#[derive(Debug, Clone, PartialEq)]
pub struct Bars {
    /// The axis (linear).
    pub axis: Axis,
    /// The legend entry.
    pub name: String,
    /// Fill colour.
    pub colour: &'static str,
    /// Bars: x and value.
    pub values: Vec<(f64, f64)>,
}

/// A whole chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// The title above the plot.
    pub title: String,
    /// The x axis.
    pub x: Axis,
    /// The y axis.
    pub y: Axis,
    /// The lines.
    pub lines: Vec<Line>,
    /// Bars on a second axis, if any.
    pub bars: Option<Bars>,
    /// A dashed horizontal reference at this y, labelled.
    pub reference: Option<(f64, String)>,
    /// A dotted vertical mark at this x, labelled.
    pub mark_x: Option<(f64, String)>,
}

impl Chart {
    fn right(&self) -> f64 {
        if self.bars.is_some() {
            52.0
        } else {
            16.0
        }
    }

    fn sx(&self, v: f64) -> f64 {
        LEFT + self.x.frac(v) * (WIDTH - LEFT - self.right())
    }

    fn sy(&self, v: f64) -> f64 {
        TOP + PLOT_H - self.y.frac(v) * PLOT_H
    }

    fn axes(&self) -> String {
        let (x1, bottom) = (WIDTH - self.right(), TOP + PLOT_H);
        let (mut grid, mut labels) = (String::new(), String::new());
        for (v, label) in &self.y.ticks {
            let y = self.sy(*v);
            grid += &format!("M{LEFT} {y:.0}H{x1:.0}");
            labels += &text_at(LEFT - 5.0, y + 4.0, label);
        }
        let (mut xticks, mut xlabels) = (String::new(), String::new());
        // A label that would run into the last one drawn is left out (its tick stays).
        let mut last: Option<(f64, usize)> = None;
        for (v, label) in &self.x.ticks {
            let x = self.sx(*v);
            xticks += &format!("M{x:.0} {bottom}v4");
            let w = label.chars().count();
            if last.is_none_or(|(lx, lw)| x - lx >= (lw + w) as f64 * 3.3 + 6.0) {
                xlabels += &text_at(x, bottom + 16.0, label);
                last = Some((x, w));
            }
        }
        format!(
            r#"<path d="{grid}" class="grid"/><path d="M{LEFT} {bottom}H{x1:.0}{xticks}" class="axis"/><g class="tick e">{labels}</g><g class="tick m">{xlabels}<text x="{:.0}" y="{:.0}">{}</text></g><text x="{LEFT}" y="{:.0}" class="tick">{}</text>"#,
            (LEFT + x1) / 2.0,
            bottom + 30.0,
            escape(&self.x.title),
            TOP - 8.0,
            escape(&self.y.title)
        )
    }

    fn bars_svg(&self) -> String {
        let Some(b) = &self.bars else {
            return String::new();
        };
        let (x1, bottom) = (WIDTH - self.right(), TOP + PLOT_H);
        let mut s = String::from(r#"<g class="tick">"#);
        for (v, label) in &b.axis.ticks {
            let y = bottom - b.axis.frac(*v) * PLOT_H;
            s += &text_at(x1 + 5.0, y + 4.0, label);
        }
        s += &format!(
            r#"<text x="{x1:.0}" y="{:.0}" text-anchor="end">{}</text></g><g fill="{}" fill-opacity="0.28">"#,
            TOP - 8.0,
            escape(&b.axis.title),
            b.colour
        );
        for (x, v) in &b.values {
            let h = b.axis.frac(*v) * PLOT_H;
            if h < 0.5 {
                // A bar of no height draws nothing and cannot be hovered.
                continue;
            }
            s += &format!(
                r#"<rect x="{:.0}" y="{:.0}" width="12" height="{h:.0}"><title>{v:.2}</title></rect>"#,
                self.sx(*x) - 6.0,
                bottom - h,
            );
        }
        s + "</g>"
    }

    fn annotations(&self) -> String {
        let mut s = String::new();
        if let Some((y, label)) = &self.reference {
            let y = self.sy(*y);
            s += &format!(
                r#"<path d="M{LEFT} {y:.0}H{:.0}" class="ref"/><text x="{:.0}" y="{:.0}" class="tick">{}</text>"#,
                WIDTH - self.right(),
                LEFT + 4.0,
                y - 4.0,
                escape(label)
            );
        }
        if let Some((x, label)) = &self.mark_x {
            let x = self.sx(*x);
            s += &format!(
                r#"<path d="M{x:.0} {TOP}V{:.0}" class="ref"/><text x="{:.0}" y="{:.0}" class="note">{}</text>"#,
                TOP + PLOT_H,
                x + 4.0,
                TOP + 12.0,
                escape(label)
            );
        }
        s
    }

    /// One line: segments joining the stable points on the plot, a dot per stable point,
    /// a range box per unstable one, a triangle on the axis for a value below it.
    fn line_svg(&self, l: &Line) -> String {
        let dash = dash_attr(l.dash);
        let below = |m: &Mark| self.y.log && m.y <= self.y.min;
        let mut s = format!(
            r#"<g stroke="{}" fill="none" stroke-width="2"{dash}>"#,
            l.colour
        );
        for seg in l.marks.split(|m| m.unstable || below(m) || !m.valid) {
            let pts: Vec<String> = seg
                .iter()
                .map(|m| format!("{:.0},{:.0}", self.sx(m.x), self.sy(m.y)))
                .collect();
            if pts.len() >= 2 {
                s += &format!(r#"<polyline points="{}"/>"#, pts.join(" "));
            }
        }
        s += &format!(r#"</g><g fill="{}" stroke="{}">"#, l.colour, l.colour);
        for m in &l.marks {
            let (x, tip) = (self.sx(m.x), escape(&m.tip));
            s += &if m.unstable {
                let (top, bottom) = (self.sy(m.hi), self.sy(m.lo));
                format!(
                    r#"<rect x="{:.0}" y="{top:.0}" width="8" height="{:.0}" class="unstable"><title>{tip}</title></rect>"#,
                    x - 4.0,
                    (bottom - top).max(2.0),
                )
            } else if below(m) {
                format!(
                    r##"<path d="M{:.0} {:.0}h8l-4 7z" fill="#fff"><title>{tip}</title></path>"##,
                    x - 4.0,
                    TOP + PLOT_H - 9.0,
                )
            } else {
                format!(
                    r##"<circle cx="{x:.0}" cy="{:.0}" r="3"{}><title>{tip}</title></circle>"##,
                    self.sy(m.y),
                    if m.valid { "" } else { r##" fill="#fff""## },
                )
            };
        }
        s + "</g>"
    }

    /// The legend under the plot, wrapped to the width; returns it and its bottom.
    fn legend(&self) -> (String, f64) {
        let mut items: Vec<String> = Vec::new();
        let (mut x, mut y) = (LEFT, TOP + PLOT_H + 50.0);
        let mut place = |w: f64, draw: &dyn Fn(f64, f64) -> String| {
            if x + w > WIDTH && x > LEFT {
                x = LEFT;
                y += 16.0;
            }
            items.push(draw(x, y));
            x += w;
        };
        for l in &self.lines {
            let w = 34.0 + l.name.chars().count() as f64 * 6.2 + 14.0;
            place(w, &|x, y| {
                format!(
                    r#"<path d="M{x:.0} {:.0}h24" stroke="{}" stroke-width="2"{}/><text x="{:.0}" y="{y:.0}">{}</text>"#,
                    y - 4.0,
                    l.colour,
                    dash_attr(l.dash),
                    x + 30.0,
                    escape(&l.name)
                )
            });
        }
        if let Some(b) = &self.bars {
            let w = 20.0 + b.name.chars().count() as f64 * 6.2;
            place(w, &|x, y| {
                format!(
                    r#"<rect x="{x:.0}" y="{:.0}" width="10" height="10" fill="{}" fill-opacity="0.28"/><text x="{:.0}" y="{y:.0}">{}</text>"#,
                    y - 9.0,
                    b.colour,
                    x + 15.0,
                    escape(&b.name)
                )
            });
        }
        (format!(r#"<g class="lg">{}</g>"#, items.concat()), y + 8.0)
    }

    /// The chart as one `<svg>` element.
    pub fn render(&self) -> String {
        let mut body = self.axes();
        body += &self.bars_svg();
        body += &self.annotations();
        for l in &self.lines {
            body += &self.line_svg(l);
        }
        let (legend, bottom) = self.legend();
        format!(
            r#"<svg viewBox="0 0 {WIDTH} {h:.0}" width="{WIDTH}" height="{h:.0}" role="img" aria-label="{t}"><text x="10" y="18" class="title">{t}</text>{body}{legend}</svg>"#,
            h = bottom,
            t = escape(&self.title)
        )
    }
}

/// A plain `<text>` at (x, y), escaped.
fn text_at(x: f64, y: f64, text: &str) -> String {
    format!(r#"<text x="{x:.0}" y="{y:.0}">{}</text>"#, escape(text))
}

/// The `stroke-dasharray` attribute of a dash pattern (nothing for solid).
fn dash_attr(dash: &str) -> String {
    if dash.is_empty() {
        String::new()
    } else {
        format!(r#" stroke-dasharray="{dash}""#)
    }
}

/// Why an entry's point is not drawn as a plain point: invalid (the run's reason) or
/// unstable (how its samples spread); `None` for a plain point.
pub fn why_drawn_apart(e: &Entry) -> Option<String> {
    if !e.valid {
        Some(e.validity.clone())
    } else if e.stability.is_unstable() {
        Some(e.stability.to_string())
    } else {
        None
    }
}

/// The tooltip of a point: `line x: median`, and for an unstable one its p25-p75 range
/// and why it is unstable.
pub fn tip(line: &str, x: &str, m: (f64, f64, f64), why: Option<String>) -> String {
    match why {
        None => format!("{line} {x}: {}", time(m.0)),
        Some(w) => format!(
            "{line} {x}: p25-p75 {} to {}, median {}; {w}",
            time(m.1),
            time(m.2),
            time(m.0)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark(x: f64, y: f64, unstable: bool) -> Mark {
        Mark {
            x,
            y,
            lo: y * 0.5,
            hi: y * 2.0,
            unstable,
            valid: x != 5.0,
            tip: format!("<{x}>"),
        }
    }

    #[test]
    fn unstable_points_are_ranges_and_break_the_line() {
        let c = Chart {
            title: "t&".into(),
            x: Axis {
                min: 0.0,
                max: 10.0,
                log: false,
                ticks: vec![(0.0, "0".into())],
                title: "x".into(),
            },
            y: Axis::log_time(1.0, 1000.0, "ns"),
            lines: vec![Line {
                name: "a".into(),
                colour: "#000",
                dash: "",
                marks: vec![
                    mark(1.0, 10.0, false),
                    mark(2.0, 20.0, false),
                    mark(3.0, 30.0, true),
                    mark(4.0, 0.5, false),
                    mark(5.0, 50.0, false),
                ],
            }],
            bars: None,
            reference: Some((5.0, "ref".into())),
            mark_x: None,
        };
        let s = c.render();
        assert_eq!(s.matches("<polyline").count(), 1, "{s}");
        assert_eq!(s.matches("class=\"unstable\"").count(), 1);
        assert_eq!(s.matches("<circle").count(), 3);
        assert!(
            s.contains(r##"r="3" fill="#fff""##),
            "the invalid one is hollow"
        );
        assert!(s.contains("z\" fill=\"#fff\""), "the value below the axis");
        assert!(s.contains("class=\"ref\""), "the reference line");
        assert!(s.contains("t&amp;") && s.contains("&lt;3&gt;"));
    }
}
