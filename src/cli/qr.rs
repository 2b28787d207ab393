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
}
