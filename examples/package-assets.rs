//! Writes the Debian package's man pages and shell completions into the directory
//! given (deploy/debian/build-deb.sh): `cargo run --features package-assets --example
//! package-assets -- target/package-assets`.

fn main() -> std::process::ExitCode {
    let Some(dir) = std::env::args_os().nth(1) else {
        eprintln!("usage: package-assets DIR (where man/ and completions/ are written)");
        return std::process::ExitCode::from(2);
    };
    match caredesk::cli::manual::write(std::path::Path::new(&dir)) {
        Ok(written) => {
            println!(
                "{} man pages and {} completion scripts in {}",
                written.man_pages.len(),
                written.completions.len(),
                std::path::Path::new(&dir).display()
            );
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!(
                "package-assets: cannot write {}: {e}",
                std::path::Path::new(&dir).display()
            );
            std::process::ExitCode::FAILURE
        }
    }
}
