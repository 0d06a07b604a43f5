use super::*;
use std::io::Write;

#[test]
fn a_regular_file_is_mapped_and_reads_back() {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(b"hello").unwrap();
    let view = open_view(file.path(), ReadPlan::default()).unwrap();
    assert!(view.is_mapped());
    assert_eq!(&*view, b"hello");
}

#[test]
fn no_mmap_reads_into_memory() {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(b"hello").unwrap();
    let plan = ReadPlan {
        no_mmap: true,
        ..ReadPlan::default()
    };
    let view = open_view(file.path(), plan).unwrap();
    assert!(!view.is_mapped());
    assert_eq!(&*view, b"hello");
}

#[test]
fn an_empty_file_is_an_empty_view() {
    let file = tempfile::NamedTempFile::new().unwrap();
    let view = open_view(file.path(), ReadPlan::default()).unwrap();
    assert!(view.is_empty());
}

#[test]
fn a_character_device_is_read_up_to_the_limit() {
    let plan = ReadPlan {
        limit: Some(16),
        ..ReadPlan::default()
    };
    let view = open_view(Path::new("/dev/zero"), plan).unwrap();
    assert_eq!(&*view, &[0u8; 16]);
}

#[test]
fn one_of_many_small_files_is_read_and_a_large_one_mapped() {
    let mut small = tempfile::NamedTempFile::new().unwrap();
    small.write_all(b"hello").unwrap();
    let view = open_view(small.path(), ReadPlan::one_of_many(false, true)).unwrap();
    assert!(!view.is_mapped());
    assert_eq!(&*view, b"hello");
    assert!(
        open_view(small.path(), ReadPlan::one_of_many(false, false))
            .unwrap()
            .is_mapped()
    );
    let large = tempfile::NamedTempFile::new().unwrap();
    large.as_file().set_len(READ_BELOW).unwrap();
    let view = open_view(large.path(), ReadPlan::one_of_many(false, true)).unwrap();
    assert!(view.is_mapped());
    assert_eq!(view.len() as u64, READ_BELOW);
}

/// The spare buffer is given back and taken again up to its bound, and a view read into
/// it gives it back when dropped: the next file is read into the same memory.
#[test]
fn a_thread_keeps_one_spare_buffer_up_to_its_bound() {
    // What an earlier test on this thread left (with --test-threads=1, they share one).
    drop(SPARE.take());
    let fresh = take_spare();
    assert_eq!((fresh.len(), fresh.capacity()), (FIRST_READ, FIRST_READ));
    let largest_kept = Vec::with_capacity((READ_BELOW as usize) + FIRST_READ);
    let kept_at = largest_kept.as_ptr();
    give_back_spare(largest_kept);
    // Were the buffer freed instead of kept, this would likely be given its memory.
    let blocker = Vec::<u8>::with_capacity((READ_BELOW as usize) + FIRST_READ);
    let taken = take_spare();
    assert_eq!(taken.as_ptr(), kept_at);
    drop((blocker, taken));
    give_back_spare(Vec::with_capacity((READ_BELOW as usize) + FIRST_READ + 1));
    let fresh = take_spare();
    assert_eq!(
        (fresh.len(), fresh.capacity()),
        (FIRST_READ, FIRST_READ),
        "too large a buffer is not kept"
    );

    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(b"bytes").unwrap();
    let source = crate::files::source::Source::File {
        path: file.path().to_path_buf(),
        named: false,
    };
    let plan = ReadPlan::one_of_many(false, true);
    let first = open_source(&source, plan).unwrap();
    let read_at = first.as_ptr();
    drop(first);
    let blocker = Vec::<u8>::with_capacity(FIRST_READ);
    let again = open_source(&source, plan).unwrap();
    assert_eq!((&*again, again.as_ptr()), (&b"bytes"[..], read_at));
    drop(blocker);
}

/// A walked file under [`READ_BELOW`] is read into the thread's spare buffer, which
/// the next file is read into again: nothing of a larger file read before shows through.
#[test]
fn walked_files_are_read_into_one_buffer_up_to_the_bound_and_mapped_from_it() {
    let walked = |file: &tempfile::NamedTempFile| {
        let source = crate::files::source::Source::File {
            path: file.path().to_path_buf(),
            named: false,
        };
        open_source(&source, ReadPlan::one_of_many(false, true)).unwrap()
    };
    let with = |len: u64, fill: u8| {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(&vec![fill; len as usize]).unwrap();
        file
    };
    let under = with(READ_BELOW - 1, b'a');
    let at = with(READ_BELOW, b'b');
    let small = with(3, b'c');
    let view = walked(&under);
    assert!(!view.is_mapped());
    assert_eq!(view.len() as u64, READ_BELOW - 1);
    assert!(view.iter().all(|&b| b == b'a'));
    drop(view);
    let view = walked(&small);
    assert_eq!(&*view, b"ccc");
    // Two views alive at once on one thread: each has its own bytes.
    let other = walked(&under);
    assert_eq!(&*view, b"ccc");
    assert!(other.iter().all(|&b| b == b'a'));
    drop((view, other));
    let view = walked(&at);
    assert!(view.is_mapped());
    assert_eq!(view.len() as u64, READ_BELOW);
    assert_eq!(&*walked(&small), b"ccc");
}

/// Walked files of every size about the bounds read back whole, whatever size the file
/// read before them on the thread had: the spare buffer is not cleared between files.
#[test]
fn walked_files_of_every_size_about_the_bounds_read_back_whole() {
    let first = FIRST_READ;
    let max = READ_BELOW as usize;
    let sizes = [
        max - 1,
        0,
        1,
        first - 1,
        first,
        first + 1,
        2 * first + 3,
        max - 2,
        5,
        max,
    ];
    for (i, len) in sizes.into_iter().enumerate() {
        let bytes: Vec<u8> = (0..len).map(|n| (n * 7 + i) as u8).collect();
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(&bytes).unwrap();
        let source = crate::files::source::Source::File {
            path: file.path().to_path_buf(),
            named: false,
        };
        let view = open_source(&source, ReadPlan::one_of_many(false, true)).unwrap();
        assert_eq!(view.len(), len);
        assert!(*view == bytes[..], "{len} bytes");
        assert_eq!(view.is_mapped(), len >= max, "{len} bytes");
    }
}

#[test]
fn reading_up_to_stops_when_the_room_is_full_or_the_file_ends() {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(b"0123456789").unwrap();
    let file = File::open(file.path()).unwrap();
    let mut buf = [0u8; 4];
    assert_eq!(read_up_to(&file, &mut buf, 1).unwrap(), 4);
    assert_eq!(&buf, b"\x00012");
    let mut buf = [0u8; 16];
    assert_eq!(read_up_to(&file, &mut buf, 2).unwrap(), 9);
    assert_eq!(&buf[2..9], b"3456789");
    assert_eq!(read_up_to(&file, &mut buf, 9).unwrap(), 9);
    // An error other than an interruption is given back, not tried again for ever.
    let dir = File::open(std::env::temp_dir()).unwrap();
    let err = read_up_to(&dir, &mut buf, 0).unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::EISDIR));
}

#[test]
fn a_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let err = open_view(dir.path(), ReadPlan::default()).err().unwrap();
    assert_eq!(err.to_string(), "is a directory");
}
