//! The enrolment QR code as drawn on an 80x24 terminal actually decodes: the drawn
//! half blocks are turned back into pixels (block = light, space = the terminal's dark
//! background, which also surrounds the drawing) and read with a QR decoder.

use caredesk::tui::qr::render_lines;

/// Pixels of the drawn code: each character is one module wide and two tall.
fn pixels(lines: &[String], scale: usize, margin: usize) -> (usize, usize, Vec<u8>) {
    let columns = lines[0].chars().count();
    let width = (columns + 2 * margin) * scale;
    let height = (lines.len() * 2 + 2 * margin) * scale;
    let mut image = vec![0u8; width * height];
    for (row, line) in lines.iter().enumerate() {
        for (column, c) in line.chars().enumerate() {
            let (top, bottom) = match c {
                '█' => (true, true),
                '▀' => (true, false),
                '▄' => (false, true),
                _ => (false, false),
            };
            for (half, light) in [(0, top), (1, bottom)] {
                if !light {
                    continue;
                }
                let y0 = (margin + row * 2 + half) * scale;
                let x0 = (margin + column) * scale;
                for y in y0..y0 + scale {
                    for x in x0..x0 + scale {
                        image[y * width + x] = 255;
                    }
                }
            }
        }
    }
    (width, height, image)
}

#[test]
fn the_enrolment_code_drawn_for_80x24_decodes_to_the_uri() {
    for user in ["admin", "chen.jing", "a.very-long_user.name32"] {
        let uri = format!(
            "otpauth://totp/caredesk:{user}?secret=HRZJKVMSAA3EEA5VJOKVYGDPTMLTAGAS&digits=6&algorithm=SHA1&issuer=caredesk&period=30"
        );
        let lines = render_lines(&uri, 2).unwrap();
        assert!(
            lines.len() <= 23,
            "{user}: {} rows do not fit 80x24 with the status bar",
            lines.len()
        );
        let (width, height, image) = pixels(&lines, 4, 6);
        let mut prepared =
            rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| image[y * width + x]);
        let grids = prepared.detect_grids();
        assert_eq!(grids.len(), 1, "{user}: no code found");
        let (_, content) = grids[0].decode().unwrap();
        assert_eq!(content, uri);
    }
}
