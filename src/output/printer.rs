//! The printer: every byte mmt prints goes through it, to standard output through a large
//! buffer or into a buffer of its own (a worker's), with labels, headings, colour and JSON.

use std::cell::OnceCell;
use std::io::{self, Write};
use std::ops::Range;
use std::os::unix::ffi::OsStrExt;

use serde_json::Value;

use crate::files::source::Source;

use super::*;

pub(super) const BUFFER_SIZE: usize = 256 * 1024;

/// Where printed bytes go.
pub(super) enum Out {
    Stdout(io::BufWriter<io::Stdout>),
    Buffer(Vec<u8>),
    #[cfg(test)]
    Writer(Box<dyn Write>),
    Null,
}

impl Write for Out {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Out::Stdout(out) => out.write(buf),
            Out::Buffer(out) => out.write(buf),
            #[cfg(test)]
            Out::Writer(out) => out.write(buf),
            Out::Null => Ok(buf.len()),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Out::Stdout(out) => out.write_all(buf),
            Out::Buffer(out) => out.write_all(buf),
            #[cfg(test)]
            Out::Writer(out) => out.write_all(buf),
            Out::Null => Ok(()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Out::Stdout(out) => out.flush(),
            #[cfg(test)]
            Out::Writer(out) => out.flush(),
            Out::Buffer(_) | Out::Null => Ok(()),
        }
    }
}

/// The file a record comes from, when records are labelled: `PATH:` before text records, and
/// `"file"` in JSON objects. Each is made when first written: over a tree most files print
/// nothing.
pub(super) struct Label {
    pub(super) source: Source,
    pub(super) text: OnceCell<Vec<u8>>,
    pub(super) json: OnceCell<Value>,
    /// Its heading was printed (`--heading`).
    pub(super) headed: bool,
}

impl Label {
    fn text(&self, style: Style) -> &[u8] {
        self.text.get_or_init(|| {
            let mut text = printed_name(&self.source, style);
            text.push(b':');
            text
        })
    }

    fn json(&self) -> &Value {
        self.json.get_or_init(|| json_path(self.source.path()))
    }
}

/// A file's name as text records print it: its own bytes (one that is not UTF-8 is printed as
/// it is, as rg prints it, so that a script can feed it back), with the escapes every printed
/// name gets (and those of a terminal, on one); `<stdin>` for standard input.
pub(super) fn printed_name(source: &Source, style: Style) -> Vec<u8> {
    let name = source.name();
    if style.terminal {
        name.on_terminal().into_bytes()
    } else {
        name.on_stdout()
    }
}

/// A file's name, painted as rg paints paths where colour is on.
pub(super) fn write_name(out: &mut Out, color: bool, name: &[u8]) -> io::Result<()> {
    if !color {
        return out.write_all(name);
    }
    let style = Paint::Path.style();
    write!(out, "{style}")?;
    out.write_all(name)?;
    write!(out, "{style:#}")
}

pub struct Printer {
    pub(super) out: Out,
    /// Summaries and messages kept for later, for one file of many; `None`: straight to
    /// standard error.
    pub(super) errors: Option<Vec<u8>>,
    pub(super) style: Style,
    pub(super) label: Option<Label>,
    /// Whether a group of lines with context was printed (`--` goes before the next one).
    pub(super) grouped: bool,
    /// Whether a heading was printed (a blank line goes before the next file's).
    pub(super) headed: bool,
}

impl Printer {
    /// A printer to standard output (nothing, with `quiet`).
    pub fn stdout(style: Style) -> Self {
        let out = if style.quiet {
            Out::Null
        } else {
            Out::Stdout(io::BufWriter::with_capacity(BUFFER_SIZE, io::stdout()))
        };
        Self {
            out,
            errors: None,
            style,
            label: None,
            grouped: false,
            headed: false,
        }
    }

    /// A printer that keeps what it is given, standard output and standard error apart, for
    /// [`Printer::into_buffers`].
    pub fn buffered(style: Style) -> Self {
        Self {
            out: if style.quiet {
                Out::Null
            } else {
                Out::Buffer(Vec::new())
            },
            errors: Some(Vec::new()),
            style,
            label: None,
            grouped: false,
            headed: false,
        }
    }

    /// [`Printer::buffered`], with room for `capacity` bytes of standard output.
    pub fn buffered_with_capacity(style: Style, capacity: usize) -> Self {
        let mut printer = Printer::buffered(style);
        if let Out::Buffer(out) = &mut printer.out {
            out.reserve(capacity);
        }
        printer
    }

    /// A printer into any writer, for tests of the commands' output.
    #[cfg(test)]
    pub fn to_writer(out: Box<dyn Write>, color: bool) -> Self {
        Self {
            out: Out::Writer(out),
            errors: None,
            style: Style {
                color,
                ..Style::default()
            },
            label: None,
            grouped: false,
            headed: false,
        }
    }

    pub fn style(&self) -> Style {
        self.style
    }

    /// What a buffered printer kept: standard output's bytes and standard error's.
    pub fn into_buffers(self) -> (Vec<u8>, Vec<u8>) {
        let out = match self.out {
            Out::Buffer(out) => out,
            _ => Vec::new(),
        };
        (out, self.errors.unwrap_or_default())
    }

    /// A file's first group of lines with context begins: `--` before it when a group was
    /// printed before (of an earlier file, through this printer), as grep and rg separate them.
    pub fn first_group_of_file(&mut self) -> io::Result<()> {
        let separator = self.style.group_separator(true).filter(|_| self.grouped);
        self.grouped = true;
        match separator {
            Some(separator) => self.out.write_all(separator),
            None => Ok(()),
        }
    }

    /// Whether a group of lines with context was printed through this printer: a buffered
    /// file's output then needs `--` before it when an earlier file printed one.
    pub fn grouped(&self) -> bool {
        self.grouped
    }

    /// Whether a heading was printed through this printer: a buffered file's output then needs
    /// a blank line before it when an earlier file printed one.
    pub fn headed(&self) -> bool {
        self.headed
    }

    /// How many bytes a buffered printer holds so far (where the next one goes).
    pub fn buffered_len(&self) -> usize {
        match &self.out {
            Out::Buffer(out) => out.len(),
            _ => 0,
        }
    }

    /// Labels the records that follow with `file` (its name in text, its path in JSON), or
    /// stops labelling them.
    pub fn set_label(&mut self, file: Option<&Source>) {
        self.label = file.map(|source| Label {
            source: source.clone(),
            text: OnceCell::new(),
            json: OnceCell::new(),
            headed: false,
        });
    }

    /// `PATH:` before a text record, when records are labelled.
    pub fn record_label(&mut self) -> io::Result<()> {
        self.record_label_as(b':')
    }

    /// `PATH` and `separator` before a text record, when records are labelled: `:` before a
    /// match, `-` before a line of context, as rg writes them; the name painted as rg paints it.
    pub fn record_label_as(&mut self, separator: u8) -> io::Result<()> {
        let Some(label) = &self.label else {
            return Ok(());
        };
        if self.style.heading {
            return self.heading();
        }
        let text = label.text(self.style);
        write_name(&mut self.out, self.style.color, &text[..text.len() - 1])?;
        self.out.write_all(&[separator])
    }

    /// Under `--heading`: the file's name on a line of its own before its first record (a blank
    /// line before it when an earlier file printed one), nothing before the others.
    fn heading(&mut self) -> io::Result<()> {
        let Some(label) = &mut self.label else {
            return Ok(());
        };
        if label.headed {
            return Ok(());
        }
        label.headed = true;
        let text = label.text(self.style).to_vec();
        if self.headed {
            self.out.write_all(b"\n")?;
        }
        self.headed = true;
        write_name(&mut self.out, self.style.color, &text[..text.len() - 1])?;
        self.out.write_all(b"\n")
    }

    /// `PATH:` and `text` on a line, as counts are printed (never under a heading).
    pub fn counted_line(&mut self, text: &str) -> io::Result<()> {
        if let Some(label) = &self.label {
            let text = label.text(self.style).to_vec();
            write_name(&mut self.out, self.style.color, &text[..text.len() - 1])?;
            self.out.write_all(b":")?;
        }
        self.line(text)
    }

    /// The name of `source` alone, then `end` (a newline, or NUL for `-0`): a file listed by
    /// `-l` or `--files-without-match`; in JSON, `{"file": PATH}`.
    pub fn listed_file(&mut self, source: &Source, end: u8) -> io::Result<()> {
        if self.style.json {
            return self.json_line(&serde_json::json!({ "file": json_path(source.path()) }));
        }
        let name = match source {
            // Ended by NUL, for `xargs -0`: the name's bytes as they are, newline and all.
            Source::File { path, .. } if end == 0 => path.as_os_str().as_bytes().to_vec(),
            _ => printed_name(source, self.style),
        };
        write_name(&mut self.out, self.style.color, &name)?;
        self.out.write_all(&[end])
    }

    /// Whether records are labelled with their file.
    pub fn is_labelled(&self) -> bool {
        self.label.is_some()
    }

    pub fn raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)
    }

    /// `bytes` styled when colour is on.
    /// A line of a diff: `sign` and `text` (its newline, if any, dropped) painted as one piece,
    /// then a newline; what [`Printer::painted`] prints for the two joined, without joining them.
    pub fn painted_line(&mut self, paint: Option<Paint>, sign: u8, text: &[u8]) -> io::Result<()> {
        let body = text.strip_suffix(b"\n").unwrap_or(text);
        let safe;
        let body = if self.style.terminal {
            safe = crate::files::name::bytes_for_terminal(body);
            &safe[..]
        } else {
            body
        };
        match paint {
            Some(paint) if self.style.color => {
                let style = paint.style();
                write!(self.out, "{style}")?;
                self.out.write_all(&[sign])?;
                self.out.write_all(body)?;
                write!(self.out, "{style:#}")?;
            }
            _ => {
                self.out.write_all(&[sign])?;
                self.out.write_all(body)?;
            }
        }
        self.out.write_all(b"\n")
    }

    pub fn painted(&mut self, paint: Paint, bytes: &[u8]) -> io::Result<()> {
        if !self.style.color {
            return self.out.write_all(bytes);
        }
        // The style ends before a final newline, so a pager never carries it to the next line.
        let (body, newline) = match bytes.strip_suffix(b"\n") {
            Some(body) => (body, &b"\n"[..]),
            None => (bytes, &b""[..]),
        };
        let style = paint.style();
        write!(self.out, "{style}")?;
        self.out.write_all(body)?;
        write!(self.out, "{style:#}")?;
        self.out.write_all(newline)
    }

    /// One record in the chosen format: raw bytes as they are, a `repr` line, or a hex dump
    /// whose offsets start at `offset`.
    pub fn record(&mut self, format: Format, offset: u64, bytes: &[u8]) -> io::Result<()> {
        match format {
            Format::Raw => self.raw(bytes),
            Format::Repr => {
                write_repr(&mut self.out, bytes)?;
                self.out.write_all(b"\n")
            }
            Format::Hex => self.hex_dump(offset, bytes),
        }
    }

    /// An `xxd`-style dump whose offsets start at `offset`.
    pub fn hex_dump(&mut self, offset: u64, bytes: &[u8]) -> io::Result<()> {
        self.hex_dump_marked(offset, bytes, None, &[])
    }

    /// A hex dump for a diff: each line starts with `sign` in `paint`, and when colour is on the
    /// bytes inside `changed` (sorted ranges of `bytes` that do not overlap) stand out in
    /// reverse video.
    pub fn hex_diff_side(
        &mut self,
        offset: u64,
        bytes: &[u8],
        sign: u8,
        paint: Paint,
        changed: &[Range<usize>],
    ) -> io::Result<()> {
        self.hex_dump_marked(offset, bytes, Some((sign, paint)), changed)
    }

    fn hex_dump_marked(
        &mut self,
        offset: u64,
        bytes: &[u8],
        prefix: Option<(u8, Paint)>,
        changed: &[Range<usize>],
    ) -> io::Result<()> {
        let marks = if self.style.color {
            HIGHLIGHT
        } else {
            ("", "")
        };
        let mut line = Vec::with_capacity(128);
        // The changed ranges that do not end before the current line: a dense patch has tens of
        // thousands in a region, and looking through all of them for every byte took minutes.
        let mut ahead = changed;
        for (i, chunk) in bytes.chunks(16).enumerate() {
            line.clear();
            if prefix.is_none() {
                self.record_label()?;
            }
            if let Some((sign, _)) = prefix {
                line.push(sign);
            }
            let first = 16 * i;
            while ahead.first().is_some_and(|r| r.end <= first) {
                ahead = &ahead[1..];
            }
            let on_line = ahead.iter().take_while(|r| r.start < first + chunk.len());
            let is_changed = |j: usize| on_line.clone().any(|r| r.contains(&(first + j)));
            write_hex_line(&mut line, offset + first as u64, chunk, is_changed, marks)?;
            match prefix {
                Some((_, paint)) => self.painted(paint, &line)?,
                None => self.out.write_all(&line)?,
            }
            self.out.write_all(b"\n")?;
        }
        Ok(())
    }

    /// One JSON Lines object; a labelled one gains `"file"` first.
    pub fn json_line(&mut self, value: &Value) -> io::Result<()> {
        self.write_json_line(value, None)
    }

    /// [`Printer::json_line`] for an object whose `key` holds a long array of numbers (placed as
    /// `null` in `value`): the numbers are written as `numbers` gives them, never gathered.
    pub fn json_line_with_numbers(
        &mut self,
        value: &Value,
        key: &str,
        mut numbers: impl Iterator<Item = usize>,
    ) -> io::Result<()> {
        self.write_json_line(value, Some((key, &mut numbers)))
    }

    /// One JSON line: an object gets the file's label first when records are labelled (and it
    /// names no file of its own); `numbers` fills the field it names.
    fn write_json_line(
        &mut self,
        value: &Value,
        mut numbers: Option<(&str, &mut dyn Iterator<Item = usize>)>,
    ) -> io::Result<()> {
        let Value::Object(fields) = value else {
            serde_json::to_writer(&mut self.out, value)?;
            return self.out.write_all(b"\n");
        };
        let label = match &self.label {
            Some(label) if !fields.contains_key("file") => Some(label.json().clone()),
            _ => None,
        };
        let fields = label
            .iter()
            .map(|json| ("file", json))
            .chain(fields.iter().map(|(k, v)| (k.as_str(), v)));
        self.out.write_all(b"{")?;
        for (i, (name, field)) in fields.enumerate() {
            if i > 0 {
                self.out.write_all(b",")?;
            }
            serde_json::to_writer(&mut self.out, name)?;
            self.out.write_all(b":")?;
            match &mut numbers {
                Some((key, numbers)) if name == *key => {
                    self.out.write_all(b"[")?;
                    for (j, number) in numbers.enumerate() {
                        if j > 0 {
                            self.out.write_all(b",")?;
                        }
                        write!(self.out, "{number}")?;
                    }
                    self.out.write_all(b"]")?;
                }
                _ => serde_json::to_writer(&mut self.out, field)?,
            }
        }
        self.out.write_all(b"}\n")
    }

    /// A line of text on standard output.
    pub fn line(&mut self, text: &str) -> io::Result<()> {
        self.out.write_all(text.as_bytes())?;
        self.out.write_all(b"\n")
    }

    /// A text record of one line, labelled with its file when records are.
    pub fn record_line(&mut self, text: &str) -> io::Result<()> {
        self.record_label()?;
        self.line(text)
    }

    /// A summary line on standard error (`lorem.txt: 2 replacements`), unless quiet.
    pub fn summary(&mut self, text: &str) {
        if !self.style.quiet {
            self.message(text);
        }
    }

    /// A line on standard error whatever `quiet` says: an error about one file of many.
    pub fn message(&mut self, text: &str) {
        match &mut self.errors {
            Some(errors) => {
                errors.extend_from_slice(crate::files::name::for_stderr(text).as_bytes());
                errors.push(b'\n');
            }
            None => {
                let _ = self.out.flush();
                say(text);
            }
        }
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// What buffered printers kept ([`Printer::into_buffers`]), printed here: their standard
    /// output's bytes, then, once those are out, their standard error's.
    pub fn replay(&mut self, printed: &[u8], said: &[u8]) -> io::Result<()> {
        self.raw(printed)?;
        if !said.is_empty() {
            self.out.flush()?;
            io::stderr().write_all(said)?;
        }
        Ok(())
    }
}
