//! SVG charts (bar, line, stacked bar) drawn in plain Rust: text is SVG text in a CJK font
//! stack the viewer's system resolves, so nothing is rasterised and no font is needed when
//! the report is written. Only presentation attributes are used (no `style`), so a page's
//! Content-Security-Policy needs no exception for them.

use std::fmt::Write;

use crate::document::Table;

/// The fonts a Chinese label is drawn in, first found wins.
pub const FONT_STACK: &str = "'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', 'SimHei', sans-serif";

const PALETTE: [&str; 6] = [
    "#2f5d8a", "#c0392b", "#e6a23c", "#3c9d5d", "#8e44ad", "#7f8c8d",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    Bar,
    Line,
    Stacked,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub kind: ChartKind,
    pub title: String,
    pub categories: Vec<String>,
    pub series: Vec<Series>,
}

impl Chart {
    /// A chart of a table: categories from column `category`, one series per column of
    /// `values` (named by its Chinese heading). At most `limit` rows are drawn.
    pub fn of_table(
        kind: ChartKind,
        title: &str,
        table: &Table,
        category: usize,
        values: &[usize],
        limit: usize,
    ) -> Chart {
        let rows = table.rows.iter().take(limit);
        Chart {
            kind,
            title: title.to_owned(),
            categories: rows
                .clone()
                .map(|r| r.get(category).map(|c| c.shown()).unwrap_or_default())
                .collect(),
            series: values
                .iter()
                .map(|&idx| Series {
                    name: table
                        .columns
                        .get(idx)
                        .map(|c| c.zh.clone())
                        .unwrap_or_default(),
                    values: rows
                        .clone()
                        .map(|r| r.get(idx).map(|c| c.magnitude()).unwrap_or(0.0))
                        .collect(),
                })
                .collect(),
        }
    }

    /// The chart as an `<svg>` element. Bars of more than a dozen categories lie horizontally,
    /// one row each, so that every label stays readable.
    pub fn to_svg(&self) -> String {
        if self.kind != ChartKind::Line && self.categories.len() > 12 {
            return self.horizontal_svg();
        }
        let (width, height) = (720.0_f64, 300.0_f64);
        let (left, right, top, bottom) = (56.0, 16.0, 48.0, 72.0);
        let plot_w = width - left - right;
        let plot_h = height - top - bottom;
        let n = self.categories.len().max(1);
        let max = self.max_value();
        let scale = nice_ceiling(max);
        let y = |v: f64| top + plot_h - (v / scale) * plot_h;
        let mut svg = String::new();
        let _ = write!(
            svg,
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{title}" font-family="{FONT_STACK}" font-size="11">"#,
            title = escape(&self.title)
        );
        let _ = write!(
            svg,
            r##"<text x="{left}" y="18" font-size="14" font-weight="bold" fill="#222">{}</text>"##,
            escape(&self.title)
        );
        // Grid and y axis in round steps.
        let steps = steps_of(scale);
        for step in 0..=steps {
            let v = scale * f64::from(step) / f64::from(steps);
            let yy = y(v);
            let _ = write!(
                svg,
                r##"<line x1="{left}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}" stroke="#ddd" stroke-width="1"/><text x="{:.1}" y="{:.1}" text-anchor="end" fill="#555">{}</text>"##,
                left + plot_w,
                left - 6.0,
                yy + 4.0,
                axis_label(v)
            );
        }
        let band = plot_w / n as f64;
        match self.kind {
            ChartKind::Bar => {
                let k = self.series.len().max(1) as f64;
                let bar = (band * 0.8 / k).max(1.0);
                for (s_idx, series) in self.series.iter().enumerate() {
                    let color = color(s_idx);
                    for (c_idx, v) in series.values.iter().enumerate() {
                        let x = left + band * c_idx as f64 + band * 0.1 + bar * s_idx as f64;
                        let _ = write!(
                            svg,
                            r#"<rect x="{x:.1}" y="{:.1}" width="{bar:.1}" height="{:.1}" fill="{color}"><title>{}：{}</title></rect>"#,
                            y(*v),
                            top + plot_h - y(*v),
                            escape(self.categories.get(c_idx).map_or("", String::as_str)),
                            axis_label(*v)
                        );
                    }
                }
            }
            ChartKind::Stacked => {
                let bar = band * 0.7;
                let mut base = vec![0.0; n];
                for (s_idx, series) in self.series.iter().enumerate() {
                    let color = color(s_idx);
                    for (c_idx, v) in series.values.iter().enumerate() {
                        let Some(below) = base.get_mut(c_idx) else {
                            continue;
                        };
                        let x = left + band * c_idx as f64 + band * 0.15;
                        let _ = write!(
                            svg,
                            r#"<rect x="{x:.1}" y="{:.1}" width="{bar:.1}" height="{:.1}" fill="{color}"><title>{} {}：{}</title></rect>"#,
                            y(*below + v),
                            y(*below) - y(*below + v),
                            escape(self.categories.get(c_idx).map_or("", String::as_str)),
                            escape(&series.name),
                            axis_label(*v)
                        );
                        *below += v;
                    }
                }
            }
            ChartKind::Line => {
                for (s_idx, series) in self.series.iter().enumerate() {
                    let color = color(s_idx);
                    let points: Vec<String> = series
                        .values
                        .iter()
                        .enumerate()
                        .map(|(c_idx, v)| {
                            format!("{:.1},{:.1}", left + band * (c_idx as f64 + 0.5), y(*v))
                        })
                        .collect();
                    let _ = write!(
                        svg,
                        r#"<polyline points="{}" fill="none" stroke="{color}" stroke-width="2"/>"#,
                        points.join(" ")
                    );
                    for (c_idx, v) in series.values.iter().enumerate() {
                        let _ = write!(
                            svg,
                            r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{color}"><title>{} {}：{}</title></circle>"#,
                            left + band * (c_idx as f64 + 0.5),
                            y(*v),
                            escape(self.categories.get(c_idx).map_or("", String::as_str)),
                            escape(&series.name),
                            axis_label(*v)
                        );
                    }
                }
            }
        }
        // Category labels, slanted when many.
        let slant = n > 8;
        for (c_idx, category) in self.categories.iter().enumerate() {
            let x = left + band * (c_idx as f64 + 0.5);
            let yy = top + plot_h + 14.0;
            let label = shorten(category, if slant { 10 } else { 14 });
            if slant {
                let _ = write!(
                    svg,
                    r##"<text x="{x:.1}" y="{yy:.1}" text-anchor="end" fill="#333" transform="rotate(-35 {x:.1} {yy:.1})">{}</text>"##,
                    escape(&label)
                );
            } else {
                let _ = write!(
                    svg,
                    r##"<text x="{x:.1}" y="{yy:.1}" text-anchor="middle" fill="#333">{}</text>"##,
                    escape(&label)
                );
            }
        }
        self.legend(&mut svg, left);
        svg.push_str("</svg>");
        svg
    }

    /// The series' names and colours on a line under the title, when there are several.
    fn legend(&self, svg: &mut String, left: f64) {
        if self.series.len() < 2 {
            return;
        }
        let mut x = left;
        for (s_idx, series) in self.series.iter().enumerate() {
            let _ = write!(
                svg,
                r##"<rect x="{x:.1}" y="26" width="10" height="10" fill="{}"/><text x="{:.1}" y="35" fill="#333">{}</text>"##,
                color(s_idx),
                x + 14.0,
                escape(&series.name)
            );
            x += 28.0 + 11.0 * series.name.chars().count() as f64;
        }
    }

    /// Horizontal bars (plain or stacked), a row per category with its label at the left.
    fn horizontal_svg(&self) -> String {
        let row = 16.0_f64;
        let (left, right, top, bottom) = (170.0_f64, 48.0, 48.0, 24.0);
        let width = 720.0_f64;
        let plot_w = width - left - right;
        let height = top + row * self.categories.len() as f64 + bottom;
        let scale = nice_ceiling(self.max_value());
        let x = |v: f64| left + (v / scale) * plot_w;
        let mut svg = String::new();
        let _ = write!(
            svg,
            r##"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{title}" font-family="{FONT_STACK}" font-size="11"><text x="{left}" y="18" font-size="14" font-weight="bold" fill="#222">{title}</text>"##,
            title = escape(&self.title)
        );
        let steps = steps_of(scale);
        for step in 0..=steps {
            let v = scale * f64::from(step) / f64::from(steps);
            let _ = write!(
                svg,
                r##"<line x1="{xx:.1}" y1="{top}" x2="{xx:.1}" y2="{:.1}" stroke="#ddd" stroke-width="1"/><text x="{xx:.1}" y="{:.1}" text-anchor="middle" fill="#555">{}</text>"##,
                height - bottom,
                height - bottom + 14.0,
                axis_label(v),
                xx = x(v)
            );
        }
        let k = if self.kind == ChartKind::Stacked {
            1.0
        } else {
            self.series.len().max(1) as f64
        };
        let bar = (row * 0.8 / k).max(1.0);
        for (c_idx, category) in self.categories.iter().enumerate() {
            let y0 = top + row * c_idx as f64;
            let _ = write!(
                svg,
                r##"<text x="{:.1}" y="{:.1}" text-anchor="end" fill="#333">{}</text>"##,
                left - 6.0,
                y0 + row * 0.7,
                escape(&shorten(category, 14))
            );
            let mut base = 0.0;
            for (s_idx, series) in self.series.iter().enumerate() {
                let v = series.values.get(c_idx).copied().unwrap_or(0.0);
                let (x0, y) = if self.kind == ChartKind::Stacked {
                    (x(base), y0 + row * 0.1)
                } else {
                    (left, y0 + row * 0.1 + bar * s_idx as f64)
                };
                let _ = write!(
                    svg,
                    r#"<rect x="{x0:.1}" y="{y:.1}" width="{:.1}" height="{bar:.1}" fill="{}"><title>{} {}：{}</title></rect>"#,
                    (x(base + v) - x(base)).max(0.0),
                    color(s_idx),
                    escape(category),
                    escape(&series.name),
                    axis_label(v)
                );
                if self.kind == ChartKind::Stacked {
                    base += v;
                }
            }
        }
        self.legend(&mut svg, left);
        svg.push_str("</svg>");
        svg
    }

    fn max_value(&self) -> f64 {
        match self.kind {
            ChartKind::Stacked => (0..self.categories.len())
                .map(|c| {
                    self.series
                        .iter()
                        .filter_map(|s| s.values.get(c))
                        .sum::<f64>()
                })
                .fold(0.0, f64::max),
            _ => self
                .series
                .iter()
                .flat_map(|s| s.values.iter().copied())
                .fold(0.0, f64::max),
        }
    }
}

fn color(idx: usize) -> &'static str {
    PALETTE.get(idx % PALETTE.len()).copied().unwrap_or("#333")
}

/// The smallest 1, 2 or 5 × 10ⁿ at or above `max` (1 for an empty chart).
fn nice_ceiling(max: f64) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(max.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|v| *v >= max)
        .unwrap_or(10.0 * magnitude)
}

/// Grid steps for a scale of 1, 2 or 5 × 10ⁿ: quarters of 1 and 2, fifths of 5 (so a
/// scale of 5 reads 1, 2, 3, 4, 5, never 1.25).
fn steps_of(scale: f64) -> u32 {
    let leading = scale / 10f64.powf(scale.log10().floor());
    if (leading - 5.0).abs() < 1e-9 { 5 } else { 4 }
}

fn axis_label(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.1}")
    }
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut out: String = text.chars().take(max - 1).collect();
        out.push('…');
        out
    }
}

fn escape(text: &str) -> String {
    jiandu_model::escape_xml(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(kind: ChartKind) -> Chart {
        Chart {
            kind,
            title: "违法数 <按月>".into(),
            categories: vec!["2026-01".into(), "2026-02".into()],
            series: vec![
                Series {
                    name: "新发现".into(),
                    values: vec![3.0, 7.0],
                },
                Series {
                    name: "已纠正".into(),
                    values: vec![1.0, 2.0],
                },
            ],
        }
    }

    #[test]
    fn every_kind_draws_its_marks_and_escapes_its_text() {
        let bar = chart(ChartKind::Bar).to_svg();
        assert_eq!(bar.matches("<rect").count(), 4 + 2, "{bar}");
        assert!(bar.contains("违法数 &lt;按月&gt;"));
        assert!(bar.contains(FONT_STACK));
        assert!(!bar.contains("style="));
        let line = chart(ChartKind::Line).to_svg();
        assert_eq!(line.matches("<polyline").count(), 2);
        assert_eq!(line.matches("<circle").count(), 4);
        let stacked = chart(ChartKind::Stacked).to_svg();
        assert_eq!(stacked.matches("<rect").count(), 4 + 2);
        // The stack of the second month reaches 9, under a scale of 10.
        assert!(stacked.contains(">10</text>"), "{stacked}");
    }

    #[test]
    fn many_categories_lie_horizontally_one_row_each() {
        let mut c = chart(ChartKind::Stacked);
        c.categories = (1..=20).map(|i| format!("单位{i}")).collect();
        for s in &mut c.series {
            s.values = (1..=20).map(f64::from).collect();
        }
        let svg = c.to_svg();
        assert_eq!(svg.matches("<rect").count(), 40 + 2, "{svg}");
        assert!(svg.contains(">单位20</text>"));
        // 48 above, 20 rows of 16, 24 below.
        assert!(svg.contains(r#"viewBox="0 0 720 392""#), "{svg}");
    }

    #[test]
    fn the_scale_is_a_round_number() {
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(nice_ceiling(7.0), 10.0);
        assert_eq!(nice_ceiling(13.0), 20.0);
        assert_eq!(nice_ceiling(420.0), 500.0);
        assert_eq!(nice_ceiling(100.0), 100.0);
        assert_eq!(steps_of(5.0), 5);
        assert_eq!(steps_of(500.0), 5);
        assert_eq!(steps_of(20.0), 4);
        assert_eq!(steps_of(1.0), 4);
    }
}
