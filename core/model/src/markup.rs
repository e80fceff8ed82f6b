//! Text made safe inside XML and SVG: the case graph's drawings and the reports' charts write
//! names and labels that come from imported data.

/// Text and attribute values escaped for XML 1.0; control characters it does not allow
/// become spaces.
pub fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_control_characters_are_neutralised() {
        assert_eq!(
            escape_xml("a<b>&\"c'\u{1}"),
            "a&lt;b&gt;&amp;&quot;c&apos; "
        );
        assert_eq!(escape_xml("清远\t市"), "清远\t市");
    }
}
