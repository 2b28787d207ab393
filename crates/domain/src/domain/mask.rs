//! Identifiers on paper: enough to confirm whose sheet it is, not enough to use.

/// `1101**********1234`: the first and last four characters of an ID number.
pub fn id_number(id: &str) -> String {
    keep_ends(id, 4, 4)
}

/// `138****5678`: the first three and last four digits of a phone number.
pub fn phone(phone: &str) -> String {
    keep_ends(phone, 3, 4)
}

/// Every character but the first `head` and last `tail` becomes `*`; a value too
/// short to keep anything hidden is hidden whole.
fn keep_ends(text: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    let start: String = chars[..head].iter().collect();
    let end: String = chars[chars.len() - tail..].iter().collect();
    format!("{start}{}{end}", "*".repeat(chars.len() - head - tail))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_ends_only() {
        assert_eq!(id_number("110101199001011234"), "1101**********1234");
        assert_eq!(id_number("11010119900101123X"), "1101**********123X");
        assert_eq!(phone("13812345678"), "138****5678");
        assert_eq!(phone("12345"), "*****");
        assert_eq!(id_number(""), "");
    }
}
