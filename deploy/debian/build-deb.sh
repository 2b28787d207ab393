#!/usr/bin/env bash
# Builds the Debian package: target/debian/caredesk_<version>-1_<arch>.deb (README,
# Install). Needs cargo-deb (cargo install --locked cargo-deb --version 3.8.0) and
# dpkg-dev (dpkg-shlibdeps works out the package's library dependencies).
set -euo pipefail
cd "$(dirname "$0")/../.."

command -v cargo-deb >/dev/null 2>&1 || {
  echo "build-deb: cargo-deb is missing: cargo install --locked cargo-deb --version 3.8.0" >&2
  exit 1
}

cargo build --release --locked

# The generated assets cargo-deb packs (Cargo.toml, [package.metadata.deb]): a man page
# per command, completions for bash, zsh and fish, and the conffile.
assets=target/package-assets
rm -rf "$assets"
# --all-features: the same build as `cargo test --all-features`, so nothing recompiles.
cargo run --quiet --locked --all-features --example package-assets -- "$assets"
gzip -9n "$assets"/man/*.1
# /etc/caredesk/settings.toml: every setting commented, as `init` writes it, but for
# the two the package's layout decides: the staff group and the backup directory.
sed -e 's|^#group = ""$|group = "caredesk-staff"|' \
    -e 's|^#dir = ""$|dir = "/srv/caredesk-backups"|' \
    deploy/settings.toml >"$assets/settings.toml"
grep -q '^group = "caredesk-staff"$' "$assets/settings.toml"
grep -q '^dir = "/srv/caredesk-backups"$' "$assets/settings.toml"

rm -f target/debian/caredesk_*.deb
cargo deb --no-build
ls -l target/debian/*.deb
