//! Property test: for random bytes, OLD, NEW and count, the file after `mmt replace` equals
//! Python's `bytes.replace(old, new, count)`, on the in-place and on the rewrite path.

use proptest::prelude::*;

use super::util::Sandbox;

/// `bytes.replace` in the plainest terms: scan left to right, skip past each replaced match.
fn reference_replace(hay: &[u8], old: &[u8], new: &[u8], count: usize) -> (Vec<u8>, usize) {
    let mut out = Vec::new();
    let mut i = 0;
    let mut done = 0;
    while i < hay.len() {
        if done < count && hay[i..].starts_with(old) {
            out.extend_from_slice(new);
            i += old.len();
            done += 1;
        } else {
            out.push(hay[i]);
            i += 1;
        }
    }
    (out, done)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn small_alphabet() -> impl Strategy<Value = u8> {
    prop_oneof![Just(b'a'), Just(b'b'), Just(0u8), Just(0xffu8), Just(b'\n')]
}

proptest! {
    #![proptest_config(super::properties::config(48))]

    #[test]
    fn replace_matches_bytes_replace(
        hay in prop::collection::vec(small_alphabet(), 0..200),
        old in prop::collection::vec(small_alphabet(), 1..4),
        new_len_delta in -2i32..3,
        new_seed in prop::collection::vec(small_alphabet(), 6),
        count in prop_oneof![Just(None), (0usize..5).prop_map(Some)],
    ) {
        let new_len = (old.len() as i32 + new_len_delta).max(0) as usize;
        let new = &new_seed[..new_len];
        let sb = Sandbox::new();
        sb.write("f", &hay);
        let mut args = vec!["replace".to_owned(), "f".into(), hex(&old), hex(new), "--hex".into()];
        if let Some(count) = count {
            args.extend(["--max".to_owned(), count.to_string()]);
        }
        let out = sb.mmt(&args).output().unwrap();
        let (expected, replaced) = reference_replace(&hay, &old, new, count.unwrap_or(usize::MAX));
        prop_assert_eq!(out.status.code(), Some(if replaced > 0 { 0 } else { 1 }),
            "stderr: {}", String::from_utf8_lossy(&out.stderr));
        prop_assert_eq!(sb.read("f"), expected);
        prop_assert_eq!(sb.listing(), vec!["f".to_owned()]);
    }
}
