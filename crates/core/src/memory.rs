//! Giving back the memory an idle app does not use.
//!
//! Most of a desktop process's resident memory is clean pages of its program and its shared
//! libraries: code that ran once at start-up (GTK, WebKit and EGL initialization, Mesa's
//! `libLLVM` on a machine without a GPU) and stays mapped in. Such a page can be dropped from
//! the process at any time and comes back, from the page cache, the next time it is touched (a
//! minor fault, no disk read). After a while with nothing to do, the app drops them
//! ([`release_clean_file_pages`]), as Android does for cached apps; what the idle app then
//! touches is its working set.
//!
//! Only pages that cannot hold anything of ours are dropped: private mappings of a regular
//! file on disk (not a device, a memfd, a DMA buffer, `/proc` or `/sys`) that are not writable
//! and have no anonymous (copy-on-write) page. A library's
//! relocated data (RELRO: written at load, then made read-only) has anonymous pages and is
//! kept; so is every heap, stack and writable mapping, and every shared mapping (WebKit's
//! shared memory). Dropping a page of such a mapping with `MADV_DONTNEED` can only cost a
//! fault later, never change what the process reads.
//!
//! [`IdleRelease`] runs it from a thread once the app has been idle for a while (no command,
//! and the caller's `busy` check false), once per idle spell. Dropped pages that the app
//! needs again cost about a microsecond each to map back in.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What [`release_clean_file_pages`] gave back.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Released {
    /// Mappings released.
    pub mappings: usize,
    /// Their resident bytes before the release.
    pub bytes: u64,
    /// The process's resident set before and after, where the system says.
    pub resident: Option<(u64, u64)>,
}

impl std::fmt::Display for Released {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (before, after) = self.resident.unwrap_or_default();
        write!(
            f,
            "gave back {} MB of clean pages ({} mappings), resident {} -> {} MB",
            self.bytes >> 20,
            self.mappings,
            before >> 20,
            after >> 20
        )
    }
}

/// One mapping of `/proc/self/smaps` that may be released.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Mapping {
    start: usize,
    end: usize,
    rss_kb: u64,
    path: String,
}

/// The mappings of an smaps listing whose pages can be dropped (see the module doc).
fn releasable(smaps: &str) -> Vec<Mapping> {
    let mut out = Vec::new();
    // The current mapping, while its fields are read: (mapping, eligible so far).
    let mut cur: Option<(Mapping, bool)> = None;
    let mut finish = |cur: &mut Option<(Mapping, bool)>| {
        if let Some((m, true)) = cur.take() {
            if m.rss_kb > 0 {
                out.push(m);
            }
        }
    };
    for line in smaps.lines() {
        let mut fields = line.split_ascii_whitespace();
        let first = fields.next().unwrap_or("");
        if let Some((a, b)) = first.split_once('-') {
            if let (Ok(start), Ok(end)) =
                (usize::from_str_radix(a, 16), usize::from_str_radix(b, 16))
            {
                finish(&mut cur);
                let perms = fields.next().unwrap_or("");
                let path = fields.nth(3).unwrap_or("");
                let rest: Vec<&str> = fields.collect();
                // A private, read-only mapping of a file on disk ("/usr/lib/…"), not one of a
                // deleted file, a memfd or a device.
                let eligible = perms.len() == 4
                    && perms.as_bytes()[1] == b'-'
                    && perms.as_bytes()[3] == b'p'
                    && path.starts_with('/')
                    && !["/dev/", "/memfd:", "/proc/", "/sys/"]
                        .iter()
                        .any(|p| path.starts_with(p))
                    && rest.is_empty();
                cur = Some((
                    Mapping {
                        start,
                        end,
                        rss_kb: 0,
                        path: path.to_string(),
                    },
                    eligible,
                ));
                continue;
            }
        }
        let Some((m, eligible)) = cur.as_mut() else {
            continue;
        };
        let kb = fields
            .next()
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
        match first {
            "Rss:" => m.rss_kb = kb,
            // A copy-on-write page is anonymous. (Dirty *file* pages, written to the file
            // and not yet on disk, stay in the page cache: those are safe to unmap.)
            "Anonymous:" if kb > 0 => *eligible = false,
            _ => {}
        }
    }
    finish(&mut cur);
    out
}

/// Drops this process's resident pages that are clean copies of files (see the module doc).
/// On systems other than Linux, does nothing.
pub fn release_clean_file_pages() -> std::io::Result<Released> {
    #[cfg(target_os = "linux")]
    {
        let before = resident_bytes();
        let smaps = std::fs::read_to_string("/proc/self/smaps")?;
        let mut done = Released::default();
        for m in releasable(&smaps) {
            // Only what is a regular file on disk now (not a device, a DMA buffer or a
            // pseudo-file a driver maps).
            let regular = std::fs::metadata(&m.path).is_ok_and(|md| md.is_file());
            if regular && dont_need(m.start, m.end - m.start) {
                done.mappings += 1;
                done.bytes += m.rss_kb * 1024;
            }
        }
        done.resident = before.zip(resident_bytes());
        Ok(done)
    }
    #[cfg(not(target_os = "linux"))]
    {
        Ok(Released::default())
    }
}

#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn dont_need(start: usize, len: usize) -> bool {
    // SAFETY: the range is a whole mapping from /proc/self/smaps, private, read-only, of a
    // file, with no anonymous page: MADV_DONTNEED only unmaps its pages, and the next access
    // reads the same bytes from the file. A mapping that went away since (an unloaded
    // library) makes the call fail with ENOMEM or unmap nothing; nothing else is touched.
    unsafe { libc::madvise(start as *mut libc::c_void, len, libc::MADV_DONTNEED) == 0 }
}

/// This process's resident set in bytes (`VmRSS`), where the system says.
pub fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_ascii_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Runs a release (in the app, [`release_clean_file_pages`]) once the app has been idle for a
/// while: no [`IdleRelease::touch`] for `after`, and `busy` false; once per idle spell.
#[derive(Debug, Clone)]
pub struct IdleRelease {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    epoch: Instant,
    /// Milliseconds since `epoch` of the last activity.
    last: AtomicU64,
    /// Milliseconds since `epoch` of the last release (0: none yet).
    released: AtomicU64,
}

impl IdleRelease {
    /// Starts the watch thread; `busy` says whether work is running (a generation), which
    /// postpones the release like activity does.
    pub fn spawn(
        after: Duration,
        busy: impl Fn() -> bool + Send + 'static,
        release: impl Fn() + Send + 'static,
    ) -> IdleRelease {
        let me = IdleRelease {
            inner: Arc::new(Inner {
                epoch: Instant::now(),
                last: AtomicU64::new(0),
                released: AtomicU64::new(0),
            }),
        };
        let watch = me.clone();
        let tick = (after / 4).max(Duration::from_millis(50));
        // Without the thread the app just keeps its pages: nothing to report.
        let _ = std::thread::Builder::new()
            .name("idle-release".into())
            .spawn(move || loop {
                std::thread::sleep(tick);
                if busy() {
                    watch.touch();
                } else if watch.due(after) {
                    watch
                        .inner
                        .released
                        .store(watch.now_ms().max(1), Ordering::Relaxed);
                    release();
                }
            });
        me
    }

    /// Notes activity: the next release waits for a new idle spell.
    pub fn touch(&self) {
        self.inner.last.store(self.now_ms(), Ordering::Relaxed);
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.inner.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Idle for `after` since the last activity, and not yet released in this idle spell.
    fn due(&self, after: Duration) -> bool {
        let last = self.inner.last.load(Ordering::Relaxed);
        let released = self.inner.released.load(Ordering::Relaxed);
        let idle_ms = u64::try_from(after.as_millis()).unwrap_or(u64::MAX);
        released <= last && self.now_ms().saturating_sub(last) >= idle_ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMAPS: &str = "\
55d0a0000000-55d0a0100000 r--p 00000000 08:01 123 /usr/lib/libfoo.so
Size:               1024 kB
Rss:                 512 kB
Private_Dirty:         0 kB
Anonymous:             0 kB
55d0a0100000-55d0a0200000 r-xp 00100000 08:01 123 /usr/lib/libfoo.so
Rss:                 256 kB
Anonymous:             0 kB
55d0a0200000-55d0a0210000 r--p 00200000 08:01 123 /usr/lib/libfoo.so
Rss:                  64 kB
Private_Dirty:        64 kB
Anonymous:            64 kB
55d0a0210000-55d0a0220000 rw-p 00210000 08:01 123 /usr/lib/libfoo.so
Rss:                  64 kB
Anonymous:             0 kB
7f0000000000-7f0000100000 r--s 00000000 00:01 9 /memfd:WebKitSharedMemory (deleted)
Rss:                 128 kB
7f0000100000-7f0000200000 r--p 00000000 08:01 77 /tmp/gone.so (deleted)
Rss:                 128 kB
Anonymous:             0 kB
7f0000200000-7f0000300000 r--p 00000000 00:00 0 [heap]
Rss:                 128 kB
7f0000300000-7f0000400000 r-xp 00000000 08:01 124 /usr/lib/libbar.so
Rss:                   0 kB
Anonymous:             0 kB
7f0000400000-7f0000401000 r--p 00000000 00:05 31 /dev/dri/renderD128
Rss:                   4 kB
Anonymous:             0 kB
7f0000401000-7f0000402000 r--p 00000000 00:16 32 /sys/devices/pci0000:00/resource0
Rss:                   4 kB
Anonymous:             0 kB
";

    #[test]
    fn only_clean_private_read_only_file_mappings_are_released() {
        let got = releasable(SMAPS);
        assert_eq!(
            got,
            vec![
                Mapping {
                    start: 0x55d0a0000000,
                    end: 0x55d0a0100000,
                    rss_kb: 512,
                    path: "/usr/lib/libfoo.so".into()
                },
                Mapping {
                    start: 0x55d0a0100000,
                    end: 0x55d0a0200000,
                    rss_kb: 256,
                    path: "/usr/lib/libfoo.so".into()
                },
            ],
            "kept: relocated data (anonymous pages), writable data, shared memory, a deleted \
             file, the heap, a mapping with nothing resident, a device and a sysfs file"
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn releasing_drops_resident_pages_and_the_process_reads_the_same_bytes() {
        // A file of known bytes, mapped privately and read-only, then read into residence.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pages.bin");
        let data: Vec<u8> = (0..8 << 20).map(|i: u32| (i * 7 % 251) as u8).collect();
        std::fs::write(&path, &data).unwrap();
        let file = std::fs::File::open(&path).unwrap();
        let map = Map::private_read_only(&file, data.len());
        let sum = |m: &[u8]| m.iter().map(|&b| u64::from(b)).sum::<u64>();
        let expected = sum(&data);
        assert_eq!(sum(map.bytes()), expected);
        let before = resident_bytes().unwrap();

        let released = release_clean_file_pages().unwrap();
        let after = resident_bytes().unwrap();
        assert!(
            released.mappings > 0 && released.bytes >= 8 << 20,
            "{released:?}"
        );
        // The 8 MiB mapping (and the test binary's own clean pages) left the resident set.
        assert!(after + (8 << 20) <= before, "{before} -> {after}");
        // Everything still reads the same (and this code, whose pages went too, runs on).
        assert_eq!(sum(map.bytes()), expected);
    }

    /// A private read-only file mapping for the test.
    #[cfg(target_os = "linux")]
    struct Map {
        ptr: *mut libc::c_void,
        len: usize,
    }

    #[cfg(target_os = "linux")]
    #[allow(unsafe_code)]
    impl Map {
        fn private_read_only(file: &std::fs::File, len: usize) -> Map {
            use std::os::fd::AsRawFd;
            // SAFETY: a fresh private read-only mapping of a whole file we just wrote.
            let ptr = unsafe {
                libc::mmap(
                    std::ptr::null_mut(),
                    len,
                    libc::PROT_READ,
                    libc::MAP_PRIVATE,
                    file.as_raw_fd(),
                    0,
                )
            };
            assert_ne!(ptr, libc::MAP_FAILED);
            Map { ptr, len }
        }

        fn bytes(&self) -> &[u8] {
            // SAFETY: the mapping is `len` readable bytes for as long as `self` lives.
            unsafe { std::slice::from_raw_parts(self.ptr as *const u8, self.len) }
        }
    }

    #[cfg(target_os = "linux")]
    #[allow(unsafe_code)]
    impl Drop for Map {
        fn drop(&mut self) {
            // SAFETY: unmaps the mapping made in `private_read_only`.
            unsafe { libc::munmap(self.ptr, self.len) };
        }
    }

    /// An [`IdleRelease`] whose release only reports itself on the returned channel.
    fn counted(after_ms: u64, busy: bool) -> (IdleRelease, std::sync::mpsc::Receiver<()>) {
        let (tx, rx) = std::sync::mpsc::channel();
        let idle = IdleRelease::spawn(
            Duration::from_millis(after_ms),
            move || busy,
            move || {
                let _ = tx.send(());
            },
        );
        (idle, rx)
    }

    #[test]
    fn a_release_waits_for_an_idle_spell_and_happens_once_per_spell() {
        let (idle, rx) = counted(200, false);
        // Activity every 50 ms for 600 ms: no release.
        for _ in 0..12 {
            idle.touch();
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(rx.try_recv().is_err(), "released while active");
        // Idle: one release, then none until the next activity.
        rx.recv_timeout(Duration::from_secs(5)).unwrap();
        std::thread::sleep(Duration::from_millis(600));
        assert!(rx.try_recv().is_err(), "released twice in one idle spell");
        idle.touch();
        rx.recv_timeout(Duration::from_secs(5)).unwrap();
    }

    #[test]
    fn a_busy_app_is_not_idle() {
        let (_idle, rx) = counted(100, true);
        std::thread::sleep(Duration::from_millis(600));
        assert!(rx.try_recv().is_err(), "released while busy");
    }
}
