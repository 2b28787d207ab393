//! No core dumps from a caredesk process. Every command may hold the data key and
//! decrypted records (the daemon holds them for its whole life), and a core file keeps
//! whatever memory held: an outside review found names, phones and ID numbers in a
//! crashed daemon's core. So the first thing `main` does is make the process
//! non-dumpable (`PR_SET_DUMPABLE` 0: no core file, and no ptrace or /proc/PID/mem
//! by other processes of the same user) and set `RLIMIT_CORE` to 0, soft and hard,
//! so no child can raise it again. The systemd unit says `LimitCORE=0` as well.

use rustix::process::{DumpableBehavior, Resource, Rlimit, set_dumpable_behavior, setrlimit};

/// Forbids core dumps for this process; an error means the process must not go on.
pub fn forbid() -> std::io::Result<()> {
    set_dumpable_behavior(DumpableBehavior::NotDumpable)?;
    setrlimit(
        Resource::Core,
        Rlimit {
            current: Some(0),
            maximum: Some(0),
        },
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn this_process_becomes_non_dumpable_with_no_core_limit() {
        super::forbid().unwrap();
        assert_eq!(
            rustix::process::dumpable_behavior().unwrap(),
            rustix::process::DumpableBehavior::NotDumpable
        );
        let limit = rustix::process::getrlimit(rustix::process::Resource::Core);
        assert_eq!((limit.current, limit.maximum), (Some(0), Some(0)));
    }
}
