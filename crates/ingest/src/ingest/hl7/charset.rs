//! MSH-18, the message's character set. Each message of a file may name its own, so
//! a file is cut into messages as bytes and each is decoded as its MSH-18 says:
//! UNICODE UTF-8, 8859/1 (and the other ISO 8859 parts), GB 18030, BIG-5, ASCII. A
//! message that names none is read as UTF-8 when it is valid UTF-8, else as GB 18030
//! (what Chinese lab systems send without saying so), as whole files always were.

use encoding_rs::{Encoding, GB18030, UTF_8};

/// The value of MSH-18 (its first repetition), read from the raw MSH line: the MSH
/// line is ASCII in every character set the standard allows here.
pub(super) fn declared(message: &[u8]) -> String {
    let line_end = message
        .iter()
        .position(|b| *b == b'\r' || *b == b'\n')
        .unwrap_or(message.len());
    let line = &message[..line_end];
    let Some(at) = line.windows(3).position(|w| w == b"MSH") else {
        return String::new();
    };
    let line = &line[at..];
    let Some(&separator) = line.get(3) else {
        return String::new();
    };
    // Fields after the name: [MSH-2, MSH-3, …]; MSH-18 is the 17th of them.
    let fields: Vec<&[u8]> = line[4..].split(|b| *b == separator).collect();
    let repetition = fields
        .first()
        .and_then(|f| f.get(1))
        .copied()
        .unwrap_or(b'~');
    let value = fields.get(16).copied().unwrap_or(b"");
    let first = value.split(|b| *b == repetition).next().unwrap_or(b"");
    String::from_utf8_lossy(first).trim().to_string()
}

enum Charset {
    /// Try UTF-8, then GB 18030.
    Guess,
    Latin1,
    Encoding(&'static Encoding),
}

fn charset(name: &str) -> Option<Charset> {
    let upper = name.trim().to_ascii_uppercase();
    let compact: String = upper
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_'))
        .collect();
    Some(match compact.as_str() {
        "" | "ASCII" => Charset::Guess,
        "UNICODEUTF8" | "UTF8" | "UNICODE" => Charset::Encoding(UTF_8),
        "8859/1" | "ISO88591" | "LATIN1" => Charset::Latin1,
        "8859/2" => Charset::Encoding(encoding_rs::ISO_8859_2),
        "8859/3" => Charset::Encoding(encoding_rs::ISO_8859_3),
        "8859/4" => Charset::Encoding(encoding_rs::ISO_8859_4),
        "8859/5" => Charset::Encoding(encoding_rs::ISO_8859_5),
        "8859/6" => Charset::Encoding(encoding_rs::ISO_8859_6),
        "8859/7" => Charset::Encoding(encoding_rs::ISO_8859_7),
        "8859/8" => Charset::Encoding(encoding_rs::ISO_8859_8),
        "8859/9" => Charset::Encoding(encoding_rs::WINDOWS_1254),
        "8859/15" => Charset::Encoding(encoding_rs::ISO_8859_15),
        c if c.starts_with("GB18030") => Charset::Encoding(GB18030),
        "BIG5" => Charset::Encoding(encoding_rs::BIG5),
        _ => return None,
    })
}

/// One message's bytes as text, as its MSH-18 says (a UTF-8 byte-order mark is
/// dropped); or why it cannot be read, in words for the person importing.
pub(super) fn decode(message: &[u8]) -> Result<String, crate::i18n::Text> {
    let message = message.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(message);
    let name = declared(message);
    let Some(set) = charset(&name) else {
        return Err(crate::text!("msg.ingest.hl7_charset", name = &name));
    };
    match set {
        Charset::Guess => match std::str::from_utf8(message) {
            Ok(text) => Ok(text.to_string()),
            Err(_) => GB18030
                .decode_without_bom_handling_and_without_replacement(message)
                .map(|t| t.into_owned())
                .ok_or_else(|| crate::text!("msg.ingest.hl7_guess")),
        },
        // ISO 8859-1 is the first 256 code points, byte for byte.
        Charset::Latin1 => Ok(message.iter().map(|b| char::from(*b)).collect()),
        Charset::Encoding(encoding) => encoding
            .decode_without_bom_handling_and_without_replacement(message)
            .map(|t| t.into_owned())
            .ok_or_else(|| {
                crate::text!(
                    "msg.ingest.hl7_invalid",
                    name = &name,
                    encoding = encoding.name()
                )
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msh(charset: &str) -> String {
        format!("MSH|^~\\&|LAB|F|DESK|C|20260101||ORU^R01|1|P|2.5.1|||||CHN|{charset}\r")
    }

    #[test]
    fn msh_18_is_read_from_the_bytes() {
        assert_eq!(declared(msh("UNICODE UTF-8").as_bytes()), "UNICODE UTF-8");
        assert_eq!(declared(msh("UTF-8~UNICODE").as_bytes()), "UTF-8");
        assert_eq!(declared(b"MSH|^~\\&|A\rPID|1"), "");
        assert_eq!(
            declared(b"\x0bMSH#^~\\&#A#B#C#D#E##ORU#1#P#2.5#####X#8859/1\r"),
            "8859/1"
        );
    }

    #[test]
    fn each_named_set_decodes_its_bytes() {
        let mut latin = msh("8859/1").into_bytes();
        latin.extend_from_slice(b"OBX|1|ST|x^y^L||5 \xb5g/L\r");
        assert!(decode(&latin).unwrap().contains("5 µg/L"));

        let name = "张伟";
        let text = format!("{}PID|1||P1||{name}\r", msh("GB 18030-2000"));
        let (gb, _, _) = GB18030.encode(&text);
        assert!(decode(&gb).unwrap().contains(name));

        // Latin-1 bytes read as UTF-8 because MSH-18 says so: refused, with the reason.
        let mut lying = msh("UNICODE UTF-8").into_bytes();
        lying.extend_from_slice(b"OBX|1|ST|x^y^L||\xb5\r");
        let e = decode(&lying).unwrap_err();
        assert!(e.to_string().contains("not valid UTF-8"), "{e}");

        let e = decode(msh("ISO IR87").as_bytes()).unwrap_err();
        assert!(e.to_string().contains("ISO IR87"), "{e}");

        // Nothing named: UTF-8 when valid, GB 18030 otherwise.
        let unnamed = format!("{}PID|1||P1||{name}\r", msh(""));
        let (gb, _, _) = GB18030.encode(&unnamed);
        assert!(decode(&gb).unwrap().contains(name));
        let bom = [b"\xEF\xBB\xBF".as_slice(), msh("").as_bytes()].concat();
        assert!(decode(&bom).unwrap().starts_with("MSH"));
    }
}
