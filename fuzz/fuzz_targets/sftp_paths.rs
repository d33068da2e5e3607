//! SFTP paths against Transfer Family homes: whatever a client names, from
//! whatever directory, a PATH home resolves only to itself or below, and a
//! LOGICAL home only into its mappings' targets.
#![no_main]

use landbridge_homes::{Home, Resolved, normalize};
use libfuzzer_sys::fuzz_target;

fn within(path: &str, dir: &str) -> bool {
    dir == "/" || path == dir || path.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (cwd, path) = text.split_once('\n').unwrap_or(("/bucket/home/alice", &text));
    let Some(virt) = normalize(cwd, path) else { return };
    assert!(virt.starts_with('/'));
    assert!(!virt.split('/').any(|p| p == ".." || p == "."));

    let home = Home::path(Some("/bucket/home/alice"));
    match home.resolve(&virt) {
        Resolved::Storage(s) => assert!(within(&s, "/bucket/home/alice"), "{s} escaped"),
        Resolved::Virtual(_) => panic!("a PATH home has no virtual directories"),
        Resolved::Denied => {}
    }

    let logical = Home::logical([("/", "/bucket/home/bob"), ("/shared", "/corp/shared")]);
    match logical.resolve(&virt) {
        Resolved::Storage(s) => assert!(
            within(&s, "/bucket/home/bob") || within(&s, "/corp/shared"),
            "{s} escaped"
        ),
        Resolved::Virtual(_) | Resolved::Denied => {}
    }
});
