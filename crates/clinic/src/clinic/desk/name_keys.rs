//! The search keys of a name: the name, its words, and for a Chinese name its pinyin
//! in every reading of each character, run together and as initials.

use pinyin::ToPinyinMulti;

/// How many spellings of one name are indexed at most: every reading of the surname,
/// then of the given name, until this many (a name of four characters with three
/// readings each would otherwise give 81).
const MAX_SPELLINGS: usize = 32;

/// The search keys of a name: the name itself, each of its words, and for a Chinese
/// name its pinyin and initials in every reading of each character (曾 is "zeng" as
/// a surname and "ceng" elsewhere; 单 is "shan" or "dan"), the surname's first.
pub fn keys_of(name: &str) -> Vec<String> {
    let lower = name.trim().to_lowercase();
    let mut keys = vec![lower.replace(char::is_whitespace, "")];
    keys.extend(lower.split_whitespace().map(str::to_string));
    // Each character's readings (plain, no tones), or the character itself.
    let mut readings: Vec<Vec<String>> = Vec::new();
    let mut any_han = false;
    for c in lower.chars() {
        match c.to_pinyin_multi() {
            Some(multi) => {
                any_han = true;
                let mut plain: Vec<String> =
                    multi.into_iter().map(|p| p.plain().to_string()).collect();
                let mut seen = Vec::new();
                plain.retain(|p| {
                    let new = !seen.contains(p);
                    seen.push(p.clone());
                    new
                });
                readings.push(plain);
            }
            None if c.is_alphanumeric() => readings.push(vec![c.to_string()]),
            None => {}
        }
    }
    if any_han {
        // Odometer with the first character turning fastest: every surname reading
        // comes before the cap can cut anything.
        let mut choice = vec![0usize; readings.len()];
        for _ in 0..MAX_SPELLINGS {
            let mut full = String::new();
            let mut initials = String::new();
            for (reading, &i) in readings.iter().zip(&choice) {
                full.push_str(&reading[i]);
                initials.push_str(&reading[i][..1]);
            }
            keys.push(full);
            keys.push(initials);
            let mut turned = false;
            for (slot, reading) in choice.iter_mut().zip(&readings) {
                if *slot + 1 < reading.len() {
                    *slot += 1;
                    turned = true;
                    break;
                }
                *slot = 0;
            }
            if !turned {
                break;
            }
        }
    }
    keys.sort();
    keys.dedup();
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reading_of_a_character_is_indexed() {
        let keys = keys_of("曾志强");
        assert!(keys.contains(&"zengzhiqiang".to_string()), "{keys:?}");
        assert!(keys.contains(&"cengzhiqiang".to_string()), "{keys:?}");
        assert!(keys.contains(&"zzq".to_string()) && keys.contains(&"czq".to_string()));
        for (name, surname) in [
            ("单丽", "shan"),
            ("仇明", "qiu"),
            ("区华", "ou"),
            ("朴敏", "piao"),
            ("查良", "zha"),
            ("解放", "xie"),
        ] {
            assert!(
                keys_of(name).iter().any(|k| k.starts_with(surname)),
                "{name}: {:?}",
                keys_of(name)
            );
        }
    }

    #[test]
    fn a_long_name_of_many_readings_stays_within_the_cap() {
        let keys = keys_of("长行重还");
        assert!(keys.len() <= 2 * MAX_SPELLINGS + 2, "{}", keys.len());
    }
}
