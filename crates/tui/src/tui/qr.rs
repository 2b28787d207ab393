//! QR codes drawn with Unicode half blocks, two modules per character cell vertically.

use qrcode::render::unicode::Dense1x2;
use qrcode::{EcLevel, QrCode};

/// The code for `text` with a quiet zone, dark on light, ready to print; `None` if the
/// text is too long for any QR version.
pub fn render(text: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::L).ok()?;
    Some(
        code.render::<Dense1x2>()
            .dark_color(Dense1x2::Light)
            .light_color(Dense1x2::Dark)
            .quiet_zone(true)
            .build(),
    )
}

/// The code as lines of half blocks with a quiet zone of `quiet` modules, light
/// modules drawn as blocks (for dark terminals). `None` if the text cannot be encoded.
pub fn render_lines(text: &str, quiet: usize) -> Option<Vec<String>> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::L).ok()?;
    let width = code.width();
    let colors = code.to_colors();
    let size = width + 2 * quiet;
    let dark = |x: usize, y: usize| -> bool {
        if x < quiet || y < quiet || x >= quiet + width || y >= quiet + width {
            return false;
        }
        colors[(y - quiet) * width + (x - quiet)] == qrcode::Color::Dark
    };
    let mut lines = Vec::with_capacity(size.div_ceil(2));
    for y in (0..size).step_by(2) {
        let line: String = (0..size)
            .map(|x| match (dark(x, y), y + 1 < size && dark(x, y + 1)) {
                (false, false) if y + 1 < size => '█',
                (false, false) => '▀',
                (false, true) => '▀',
                (true, false) if y + 1 < size => '▄',
                (true, false) => ' ',
                (true, true) => ' ',
            })
            .collect();
        lines.push(line);
    }
    Some(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn otpauth_uri_fits_an_80_column_terminal() {
        let uri = "otpauth://totp/caredesk:administrator?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&digits=6&algorithm=SHA1&issuer=caredesk&period=30";
        let drawn = render(uri).unwrap();
        let width = drawn.lines().map(|l| l.chars().count()).max().unwrap();
        assert!(width <= 80, "{width} columns");
        assert!(drawn.lines().count() <= 40);
    }

    #[test]
    fn an_enrolment_code_fits_beside_text_on_80x24() {
        let uri = "otpauth://totp/caredesk:chen.jing?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=caredesk";
        let lines = render_lines(uri, 2).unwrap();
        assert!(lines.len() <= 21, "{} rows", lines.len());
        assert!(lines[0].chars().count() <= 41);
    }
}
