//! Secrets from the person at the terminal, or from standard input for scripts; never
//! from arguments or the environment, where other users of the machine could read them.

use std::io::{BufRead, IsTerminal};

use zeroize::Zeroizing;

pub fn stdin_is_terminal() -> bool {
    std::io::stdin().is_terminal()
}

/// Reads one line of standard input without its line ending.
pub fn read_stdin_line(what: &str) -> anyhow::Result<Zeroizing<String>> {
    let mut line = Zeroizing::new(String::new());
    let read = std::io::stdin().lock().read_line(&mut line)?;
    if read == 0 {
        anyhow::bail!("standard input ended before the {what} was given: put it on its own line");
    }
    while line.ends_with('\n') || line.ends_with('\r') {
        line.pop();
    }
    Ok(line)
}

/// A new password: asked twice on a terminal (they must match), or the first line of
/// standard input when it is not a terminal.
pub fn read_new_password(user: &str) -> anyhow::Result<Zeroizing<String>> {
    if !stdin_is_terminal() {
        return read_stdin_line("password");
    }
    loop {
        let first = Zeroizing::new(rpassword::prompt_password(format!(
            "New password for {user}: "
        ))?);
        let second = Zeroizing::new(rpassword::prompt_password("Repeat the password: ")?);
        if first == second {
            return Ok(first);
        }
        eprintln!("The two passwords differ; please type them again.");
    }
}
