//! One module per subcommand, and the few things they share.

pub mod audit;
pub mod bench;
pub mod calendar;
pub mod cases;
pub mod check;
pub mod complaints;
pub mod demo;
pub mod explain;
pub mod fields;
pub mod findings;
pub mod gaps;
pub mod graph;
pub mod import;
pub mod init;
pub mod records;
pub mod report;
pub mod route;
pub mod rules;
pub mod serve;
pub mod sweep;
pub mod units;
pub mod users;

/// Output for people (`text`) or for programs (`json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// A progress bar over records for a long job (`verb` e.g. "sweeping"); hidden when standard
/// error is not a terminal.
pub fn records_bar(verb: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(&format!(
            "{verb} [{{bar:40}}] {{pos}}/{{len}} records ({{eta}})"
        ))
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

/// Who the audit log says made a change: `--actor`, else `$JIANDU_ACTOR`, else `$USER`.
pub fn actor(flag: Option<String>) -> String {
    flag.or_else(|| std::env::var("JIANDU_ACTOR").ok())
        .or_else(|| std::env::var("USER").ok())
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "cli".to_owned())
}

/// Columns a character takes in a terminal: Chinese characters and full-width forms take two.
fn display_width(c: char) -> usize {
    match c as u32 {
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD => 2,
        _ => 1,
    }
}

/// The terminal columns `text` takes.
pub fn width(text: &str) -> usize {
    text.chars().map(display_width).sum()
}

/// `text` padded with spaces to `width` terminal columns, so tables with Chinese names line
/// up (`format!("{:<20}")` counts characters, not columns).
pub fn pad(text: &str, width: usize) -> String {
    let used: usize = text.chars().map(display_width).sum();
    format!("{text}{}", " ".repeat(width.saturating_sub(used)))
}

#[cfg(test)]
mod tests {
    use super::pad;

    #[test]
    fn pads_by_terminal_columns() {
        assert_eq!(pad("清城区", 8), "清城区  ");
        assert_eq!(pad("abc", 5), "abc  ");
        assert_eq!(pad("清远市市场监督管理局", 4), "清远市市场监督管理局");
    }
}
