//! The seed chapter's examples, each one `mmt` command printing what the chapter prints.

use super::util::Sandbox;

#[test]
fn mmap_read_py() {
    // print(m.read(10)); print(m[:10]); print(m.read(10))
    let sb = Sandbox::with_fixtures();
    sb.mmt(["read", "lorem.txt", "10", "10", "--format", "repr"])
        .assert()
        .success()
        .stdout("b'Lorem ipsu'\nb'm dolor si'\n");
    sb.mmt(["slice", "lorem.txt", ":10", "--format", "repr"])
        .assert()
        .success()
        .stdout("b'Lorem ipsu'\n");
}

#[test]
fn mmap_write_slice_py() {
    let sb = Sandbox::with_fixtures();
    sb.write("lorem_copy.txt", &sb.read("lorem.txt"));
    sb.mmt([
        "replace",
        "lorem_copy.txt",
        "consectetuer",
        "reutetcesnoc",
        "--max",
        "1",
    ])
    .assert()
    .success()
    .stdout("")
    .stderr("lorem_copy.txt: 1 replacement\n");
    sb.mmt(["read", "lorem_copy.txt", "--lines", "1", "--format", "repr"])
        .assert()
        .stdout("b'Lorem ipsum dolor sit amet, reutetcesnoc adipiscing elit.\\n'\n");
    let expected = String::from_utf8(sb.read("lorem.txt")).unwrap().replacen(
        "consectetuer",
        "reutetcesnoc",
        1,
    );
    assert_eq!(sb.read("lorem_copy.txt"), expected.as_bytes());
}

#[test]
fn mmap_write_copy_py() {
    let sb = Sandbox::with_fixtures();
    sb.write("lorem_copy.txt", &sb.read("lorem.txt"));
    sb.age("lorem_copy.txt");
    let before = sb.mtime("lorem_copy.txt");
    sb.mmt([
        "--copy",
        "replace",
        "lorem_copy.txt",
        "consectetuer",
        "reutetcesnoc",
        "--max",
        "1",
    ])
    .assert()
    .success()
    .stdout(
        "--- a/lorem_copy.txt\n+++ b/lorem_copy.txt\n@@ -1,4 +1,4 @@\n\
             -Lorem ipsum dolor sit amet, consectetuer adipiscing elit.\n\
             +Lorem ipsum dolor sit amet, reutetcesnoc adipiscing elit.\n \
             Donec egestas, enim et consectetuer ullamcorper, lectus ligula rutrum leo,\n \
             a elementum elit tortor eu quam. Duis tincidunt nisi ut ante. Nulla\n \
             facilisi. Sed tristique eros eu libero. Pellentesque vel\n",
    )
    .stderr("lorem_copy.txt: 1 replacement (dry run, file unchanged)\n");
    assert_eq!(sb.read("lorem_copy.txt"), sb.read("lorem.txt"));
    assert_eq!(sb.mtime("lorem_copy.txt"), before);
}

#[test]
fn mmap_regex_py() {
    let sb = Sandbox::with_fixtures();
    sb.mmt([
        "grep",
        "lorem.txt",
        r"(\.\W+)?([^.]?nulla[^.]*?\.)",
        "-i",
        "--dot-all",
        "--multi-line",
        "--group",
        "2",
        "--fold",
        "--format",
        "repr",
    ])
    .assert()
    .success()
    .stdout("b'Nulla facilisi.'\nb'Nulla feugiat augue eleifend nulla.'\n");
}
