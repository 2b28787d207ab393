//! Whether a unit as written is a valid UCUM code (case-sensitive), so an export labels
//! a unit UCUM only when it is one: "mm[Hg]", "mmol/L", "10*9/L", "mL/min/{1.73_m2}"
//! are; "mmHg", "10^9/l", "次/分", "bpm" are not. Conservative: an atom missing from
//! the table below reads as not UCUM, so nothing is ever labelled UCUM by mistake.

/// Atoms that take a metric prefix (the UCUM "metric" units).
const METRIC: &[&str] = &[
    "m", "s", "g", "rad", "K", "C", "cd", "mol", "sr", "Hz", "N", "Pa", "J", "W", "A", "V", "F",
    "Ohm", "S", "Wb", "Cel", "T", "H", "lm", "lx", "Bq", "Gy", "Sv", "l", "L", "ar", "t", "bar",
    "u", "eV", "pc", "gf", "Ky", "Gal", "dyn", "erg", "P", "Bi", "St", "Mx", "G", "Oe", "Gb", "sb",
    "Lmb", "ph", "Ci", "R", "RAD", "REM", "cal", "[iU]", "[IU]", "eq", "osm", "g%", "kat", "U",
    "B", "B[SPL]", "B[V]", "B[mV]", "B[uV]", "B[W]", "B[kW]", "bit", "By", "Bd", "m[H2O]", "m[Hg]",
    "mho", "st", "Np",
];

/// Atoms that take no prefix.
const PLAIN: &[&str] = &[
    "10*",
    "10^",
    "[pi]",
    "%",
    "[ppth]",
    "[ppm]",
    "[ppb]",
    "[pptr]",
    "min",
    "h",
    "d",
    "a",
    "wk",
    "mo",
    "a_t",
    "a_j",
    "a_g",
    "mo_j",
    "mo_s",
    "mo_g",
    "deg",
    "gon",
    "'",
    "''",
    "[in_i]",
    "[ft_i]",
    "[yd_i]",
    "[mi_i]",
    "[lb_av]",
    "[oz_av]",
    "[gr]",
    "[degF]",
    "[degR]",
    "[pH]",
    "[psi]",
    "atm",
    "[drp]",
    "[CFU]",
    "[PFU]",
    "[FFU]",
    "[arb'U]",
    "[USP'U]",
    "[GPL'U]",
    "[MPL'U]",
    "[APL'U]",
    "[beth'U]",
    "[todd'U]",
    "[dye'U]",
    "[smgy'U]",
    "[bdsk'U]",
    "[ka'U]",
    "[knk'U]",
    "[mclg'U]",
    "[tb'U]",
    "[hnsf'U]",
    "[HPF]",
    "[LPF]",
    "[BAU]",
    "[AU]",
    "[PNU]",
    "[Lf]",
    "[D'ag'U]",
    "[S]",
    "[MET]",
    "[diop]",
    "[Ch]",
    "[mesh_i]",
    "[in_i'H2O]",
    "[in_i'Hg]",
    "[gal_us]",
    "[qt_us]",
    "[pt_us]",
    "[foz_us]",
    "[tsp_us]",
    "[tbs_us]",
    "[cup_us]",
    "[Btu]",
    "[HP]",
    "Ao",
    "b",
    "att",
    "[car_m]",
    "[car_Au]",
    "[lne]",
    "%[slope]",
    "[iU]",
    "[IU]",
];

/// Metric prefixes, the two-letter one first so "da" is not read as "d" + "a…".
const PREFIXES: &[&str] = &[
    "da", "Y", "Z", "E", "P", "T", "G", "M", "k", "h", "d", "c", "m", "u", "n", "p", "f", "a", "z",
    "y", "Ki", "Mi", "Gi", "Ti",
];

/// `human` as a reader of `lang` says it: in Chinese, a rate per minute is 次/分 (the
/// follow-up form's word for a heart rate); every other unit as `human` writes it.
pub fn human_in(unit: &str, lang: crate::i18n::Lang) -> String {
    if lang.is_chinese() && unit.trim() == "/min" {
        return "次/分".to_string();
    }
    human(unit)
}

/// A unit as a person reads it, from the UCUM code a machine reads: `mm[Hg]` is
/// mmHg, `mL/min/{1.73_m2}` is mL/min/1.73 m², `kg/m2` is kg/m², `10*9/L` is 10⁹/L,
/// `/min` is /min. A unit that is not UCUM is shown as written.
pub fn human(unit: &str) -> String {
    let mut text = String::new();
    let mut chars = unit.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            // Square brackets only mark a UCUM special atom: mm[Hg].
            '[' | ']' => {}
            // Curly brackets hold an annotation, read as words: {1.73_m2}.
            '{' => {
                let mut note = String::new();
                for n in chars.by_ref() {
                    if n == '}' {
                        break;
                    }
                    note.push(if n == '_' { ' ' } else { n });
                }
                text.push_str(&note);
            }
            // 10*9 is ten to the ninth.
            '*' if text.ends_with("10") => {
                while let Some(d) = chars.next_if(char::is_ascii_digit) {
                    text.push(superscript(d));
                }
            }
            _ => text.push(c),
        }
    }
    // An exponent after a unit atom: m2 is m², cm3 is cm³.
    let mut out = String::new();
    let mut previous: Option<char> = None;
    for c in text.chars() {
        match (previous, c) {
            (Some(p), '2' | '3') if p.is_ascii_alphabetic() => out.push(superscript(c)),
            _ => out.push(c),
        }
        previous = Some(c);
    }
    out
}

fn superscript(digit: char) -> char {
    match digit {
        '0' => '⁰',
        '1' => '¹',
        '2' => '²',
        '3' => '³',
        '4' => '⁴',
        '5' => '⁵',
        '6' => '⁶',
        '7' => '⁷',
        '8' => '⁸',
        '9' => '⁹',
        other => other,
    }
}

/// Whether `unit` is a valid UCUM expression (as far as the atoms above go).
pub fn is_ucum(unit: &str) -> bool {
    if unit.is_empty() || unit.chars().any(|c| c.is_whitespace() || !c.is_ascii()) {
        return false;
    }
    let chars: Vec<char> = unit.chars().collect();
    let mut at = 0;
    // A leading "/" divides one: "/min".
    if chars.first() == Some(&'/') {
        at = 1;
    }
    term(&chars, &mut at) && at == chars.len()
}

/// term := component (("." | "/") component)*
fn term(chars: &[char], at: &mut usize) -> bool {
    if !component(chars, at) {
        return false;
    }
    while *at < chars.len() && matches!(chars[*at], '.' | '/') {
        *at += 1;
        if !component(chars, at) {
            return false;
        }
    }
    true
}

/// component := "(" term ")" | annotation | unit-token [annotation]
fn component(chars: &[char], at: &mut usize) -> bool {
    match chars.get(*at) {
        None => false,
        Some('(') => {
            *at += 1;
            if !term(chars, at) || chars.get(*at) != Some(&')') {
                return false;
            }
            *at += 1;
            true
        }
        Some('{') => annotation(chars, at),
        Some(_) => {
            // The token runs to the next operator outside brackets.
            let start = *at;
            let mut depth = 0i32;
            while let Some(&c) = chars.get(*at) {
                match c {
                    '[' => depth += 1,
                    ']' => depth -= 1,
                    '.' | '/' | '(' | ')' | '{' if depth == 0 => break,
                    _ => {}
                }
                if depth < 0 {
                    return false;
                }
                *at += 1;
            }
            if depth != 0 {
                return false;
            }
            let token: String = chars[start..*at].iter().collect();
            if !simple_unit(&token) {
                return false;
            }
            if chars.get(*at) == Some(&'{') {
                return annotation(chars, at);
            }
            true
        }
    }
}

/// "{…}": printable ASCII without braces.
fn annotation(chars: &[char], at: &mut usize) -> bool {
    *at += 1;
    while let Some(&c) = chars.get(*at) {
        if c == '}' {
            *at += 1;
            return true;
        }
        if c == '{' || !c.is_ascii_graphic() {
            return false;
        }
        *at += 1;
    }
    false
}

/// A factor ("1000"), or an atom with an optional prefix and an optional exponent.
fn simple_unit(token: &str) -> bool {
    if token.is_empty() {
        return false;
    }
    if token.chars().all(|c| c.is_ascii_digit()) {
        return true;
    }
    let body = token.trim_end_matches(|c: char| c.is_ascii_digit());
    let body = if body.len() < token.len() {
        body.strip_suffix(['+', '-']).unwrap_or(body)
    } else {
        body
    };
    if body.is_empty() {
        return false;
    }
    if METRIC.contains(&body) || PLAIN.contains(&body) {
        return true;
    }
    PREFIXES.iter().any(|p| {
        body.strip_prefix(p)
            .is_some_and(|atom| METRIC.contains(&atom))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_heart_rate_is_次每分_in_chinese_and_per_minute_in_english() {
        use crate::i18n::Lang;
        assert_eq!(human_in("/min", Lang::ZhCn), "次/分");
        assert_eq!(human_in("/min", Lang::En), "/min");
        assert_eq!(human_in("mm[Hg]", Lang::ZhCn), "mmHg");
    }

    #[test]
    fn units_labs_send() {
        for unit in [
            "mm[Hg]",
            "mmol/L",
            "umol/L",
            "mg/dL",
            "g/L",
            "kg/m2",
            "cm",
            "kg",
            "%",
            "/min",
            "U/L",
            "10*9/L",
            "10*12/L",
            "mL/min/{1.73_m2}",
            "{beats}/min",
            "mmol/mol",
            "fL",
            "pg",
            "a",
            "[IU]/L",
            "m[IU]/L",
            "s-1",
            "kg.m-2",
            "dam",
            "(mol/L)/s",
            "1",
            "[pH]",
        ] {
            assert!(is_ucum(unit), "{unit} is UCUM");
        }
        for unit in [
            "",
            "mmHg",
            "10^9/l x",
            "次/分",
            "bpm",
            "IU/L",
            "sec",
            "mg/dl/",
            "mg//dL",
            "kg/m²",
            "mL/min/1.73m2",
            "(mol/L",
            "{x",
            "beats/min",
            "mmol/l ",
        ] {
            assert!(!is_ucum(unit), "{unit:?} is not UCUM");
        }
    }

    #[test]
    fn units_read_as_people_write_them() {
        assert_eq!(human("mm[Hg]"), "mmHg");
        assert_eq!(human("mL/min/{1.73_m2}"), "mL/min/1.73 m²");
        assert_eq!(human("kg/m2"), "kg/m²");
        assert_eq!(human("10*9/L"), "10⁹/L");
        assert_eq!(human("10*12/L"), "10¹²/L");
        assert_eq!(human("mmol/L"), "mmol/L");
        assert_eq!(human("/min"), "/min");
        assert_eq!(human("次/分"), "次/分");
        assert_eq!(human("%"), "%");
    }
}
