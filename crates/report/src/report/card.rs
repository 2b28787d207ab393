//! The member card: an ID-1 card (85.6 × 54 mm) with the clinic, the member's name,
//! the card number, its type and validity, a Code 128 barcode for the desk's scanner
//! and a QR code for phones, both of the card number alone.

use barcoders::sym::code128::Code128;
use qrcode::{Color, QrCode};

use super::ReportError;
use super::fonts::Fonts;
use super::pdf::{ACCENT, GREY, INK, Op, render};
use crate::clinic::care::reports::CardDocument;
use crate::i18n::{Lang, Locale};

/// ID-1 card size in points (85.6 × 54 mm).
pub const CARD_SIZE: (f32, f32) = (85.6 / 25.4 * 72.0, 54.0 / 25.4 * 72.0);
const WHITE: (u8, u8, u8) = (255, 255, 255);

/// The bars of a Code 128 symbol of `number` (1 = bar, 0 = space, one module each):
/// character set C for an even count of digits (the shortest symbol), else set B.
pub fn code128_modules(number: &str) -> Result<Vec<u8>, String> {
    let all_digits = !number.is_empty() && number.chars().all(|c| c.is_ascii_digit());
    let data = if all_digits && number.len().is_multiple_of(2) {
        format!("\u{0106}{number}")
    } else {
        format!("\u{0181}{number}")
    };
    Code128::new(data)
        .map(|c| c.encode())
        .map_err(|e| format!("the card number cannot be put in a barcode: {e:?}"))
}

/// The card's texts, in the reader's language.
pub fn texts(doc: &CardDocument, lang: Lang) -> Vec<String> {
    let loc = Locale::new(lang);
    vec![
        doc.clinic.name.clone(),
        loc.t("report.card"),
        doc.patient_name.clone(),
        doc.card.number.clone(),
        loc.tf(
            "report.card_valid",
            &[
                ("type", &doc.card.card_type),
                ("until", &doc.card.valid_until.to_string()),
            ],
        ),
        doc.clinic.phone.clone(),
        doc.record_number
            .as_deref()
            .map(|n| {
                format!(
                    "{} {}",
                    loc.t("record.number"),
                    crate::domain::record_number::grouped(n)
                )
            })
            .unwrap_or_default(),
    ]
}

fn bars(ops: &mut Vec<Op>, modules: &[u8], (x, y, w, h): (f32, f32, f32, f32)) {
    let module = w / modules.len() as f32;
    let mut i = 0;
    while i < modules.len() {
        if modules[i] == 1 {
            let start = i;
            while i < modules.len() && modules[i] == 1 {
                i += 1;
            }
            ops.push(Op::Rect {
                x: x + start as f32 * module,
                y,
                w: (i - start) as f32 * module,
                h,
                color: INK,
            });
        } else {
            i += 1;
        }
    }
}

fn qr(ops: &mut Vec<Op>, text: &str, (x, y, size): (f32, f32, f32)) -> Result<(), String> {
    let code = QrCode::new(text.as_bytes()).map_err(|e| format!("QR code: {e}"))?;
    let width = code.width();
    let module = size / width as f32;
    for (n, colour) in code.to_colors().iter().enumerate() {
        if *colour == Color::Dark {
            ops.push(Op::Rect {
                x: x + (n % width) as f32 * module,
                y: y + (n / width) as f32 * module,
                // A hair wider so neighbouring modules join without seams.
                w: module + 0.05,
                h: module + 0.05,
                color: INK,
            });
        }
    }
    Ok(())
}

/// The card's drawing operations.
pub fn layout(doc: &CardDocument, fonts: &Fonts, lang: Lang) -> Result<Vec<Op>, String> {
    let t = texts(doc, lang);
    let (w, _h) = CARD_SIZE;
    let text = |x: f32, y: f32, size: f32, bold: bool, color, text: &str| Op::Text {
        x,
        y,
        size,
        bold,
        color,
        text: text.to_string(),
    };
    let mut ops = vec![Op::Rect {
        x: 0.0,
        y: 0.0,
        w,
        h: 28.0,
        color: ACCENT,
    }];
    // The clinic's name shrinks to fit beside the card's label.
    let label_width = fonts.width(&t[1], false, 7.0);
    let mut size = 9.5;
    while size > 6.0 && fonts.width(&t[0], true, size) > w - 24.0 - label_width {
        size -= 0.5;
    }
    ops.push(text(9.0, 18.0, size, true, WHITE, &t[0]));
    ops.push(text(w - 9.0 - label_width, 18.0, 7.0, false, WHITE, &t[1]));
    ops.push(text(9.0, 48.0, 13.0, true, INK, &t[2]));
    ops.push(text(9.0, 64.0, 11.0, false, INK, &t[3]));
    ops.push(text(9.0, 76.0, 7.0, false, GREY, &t[4]));
    bars(
        &mut ops,
        &code128_modules(&doc.card.number)?,
        (9.0, 88.0, 150.0, 40.0),
    );
    qr(&mut ops, &doc.card.number, (w - 9.0 - 58.0, 36.0, 58.0))?;
    if !t[6].is_empty() {
        ops.push(text(9.0, 136.0, 6.0, false, GREY, &t[6]));
    }
    ops.push(text(9.0, 146.0, 6.0, false, GREY, &t[5]));
    Ok(ops)
}

/// The card as a one-page PDF.
pub fn pdf(doc: &CardDocument, fonts: &Fonts, lang: Lang) -> Result<Vec<u8>, ReportError> {
    let ops = layout(doc, fonts, lang).map_err(ReportError::Render)?;
    render(&[ops], fonts, CARD_SIZE, &texts(doc, lang)[1], lang.code())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_even_number_of_digits_uses_the_short_set() {
        let short = code128_modules("880000000017").unwrap();
        let long = code128_modules("88000000001").unwrap();
        // Start, 6 pairs, check, stop (11 modules each, stop 13) against 11 characters.
        assert_eq!(short.len(), 11 * 8 + 13);
        assert!(long.len() > short.len());
        assert_eq!(short[..2], [1, 1]);
    }

    #[test]
    fn the_card_is_id1_sized() {
        assert!((CARD_SIZE.0 - 242.65).abs() < 0.01);
        assert!((CARD_SIZE.1 - 153.07).abs() < 0.01);
    }
}
