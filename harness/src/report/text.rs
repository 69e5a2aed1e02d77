//! Escaping for the text formats: XML (JUnit), HTML, Markdown table cells,
//! and file names for per-case files.

/// Escapes text for XML or HTML element content and attribute values
/// (double- or single-quoted). Characters XML 1.0 cannot carry (controls
/// other than tab, newline and carriage return) become U+FFFD; in
/// attributes, tab and line breaks become character references so they
/// survive attribute-value normalisation.
pub fn xml_escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\r' if attribute => out.push_str("&#13;"),
            '\t' | '\n' | '\r' => out.push(c),
            // XML 1.0 Char excludes other C0 controls, surrogates (not in
            // a Rust char) and U+FFFE / U+FFFF; C1 controls are legal but
            // discouraged, so they go too.
            c if c.is_control() || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Element content.
pub fn xml_text(s: &str) -> String {
    xml_escape(s, false)
}

/// Attribute value.
pub fn xml_attr(s: &str) -> String {
    xml_escape(s, true)
}

/// A Markdown table cell: one line, pipes escaped, HTML special characters
/// as entities (so a title cannot inject markup), backslashes kept literal.
pub fn md_cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '\\' => out.push_str("\\\\"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '`' => out.push_str("\\`"),
            '*' | '_' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// The file stem for a case's per-case files: the id with `/` replaced by
/// `__`; other characters that are awkward in file names (`\`, `:`,
/// controls, and the leading dots of `.`/`..`) become `_`.
pub fn case_file_stem(id: &str) -> String {
    let mut out = String::with_capacity(id.len() + 4);
    for c in id.chars() {
        match c {
            '/' => out.push_str("__"),
            '\\' | ':' | '\0' | '*' | '?' | '"' | '<' | '>' | '|' => out.push('_'),
            c if c.is_control() => out.push('_'),
            c => out.push(c),
        }
    }
    if out.is_empty() || out.starts_with('.') {
        out.insert(0, '_');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escapes_markup_quotes_and_controls() {
        assert_eq!(xml_text("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
        assert_eq!(
            xml_text("x\u{1}y\u{7f}z\u{ffff}"),
            "x\u{fffd}y\u{fffd}z\u{fffd}"
        );
        assert_eq!(xml_text("l1\nl2"), "l1\nl2");
        assert_eq!(xml_attr("l1\nl2\tx"), "l1&#10;l2&#9;x");
        assert_eq!(xml_text("]]>"), "]]&gt;");
    }

    #[test]
    fn md_cells_stay_one_cell_and_inert() {
        assert_eq!(md_cell("a|b\nc"), "a\\|b c");
        assert_eq!(md_cell("<script>"), "&lt;script&gt;");
        assert_eq!(md_cell("*x* _y_ `z`"), "\\*x\\* \\_y\\_ \\`z\\`");
    }

    #[test]
    fn case_file_stems_are_flat_names() {
        assert_eq!(case_file_stem("core/b01-handshake"), "core__b01-handshake");
        assert_eq!(case_file_stem("../x"), "_..__x");
        assert_eq!(case_file_stem("a:b\u{0}c"), "a_b_c");
        assert_eq!(case_file_stem(""), "_");
    }
}
