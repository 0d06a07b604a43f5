//! The terminal a review asks on: `/dev/tty`, not standard input (which may carry the list of
//! files, `--files0-from -`), put in a mode where each key acts at once (no Enter, no echo, and
//! Ctrl-C a key rather than a signal), and put back as it was on every way out: when this value
//! is dropped (an error, an early return, a panic unwinding), and when a signal ends mmt.

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::fd::AsFd;

use rustix::termios::{self, LocalModes, OptionalActions, SpecialCodeIndex, Termios};

use super::{Abort, Key, keys_of};
use crate::sys::{RestoreTerminalOnSignal, restore_terminal_on_signal};

pub struct Terminal {
    /// Declared first so that it is dropped first: the signal handler forgets the descriptor
    /// before it is closed. `Some` while the keys act at once.
    on_signal: Option<RestoreTerminalOnSignal>,
    tty: File,
    /// The modes it had before the review, put back when this value is dropped.
    saved: Termios,
    /// Keys of one read not yet taken (typed ahead, or pasted).
    typed: VecDeque<Key>,
}

impl Terminal {
    /// Opens the controlling terminal, as it is. Fails where there is none (a pipe, cron, CI).
    pub fn open() -> io::Result<Terminal> {
        let tty = OpenOptions::new().read(true).write(true).open("/dev/tty")?;
        let saved = termios::tcgetattr(&tty)?;
        Ok(Terminal {
            on_signal: None,
            tty,
            saved,
            typed: VecDeque::new(),
        })
    }

    /// Makes each key act at once, from the first question on (not while the first file is
    /// planned, when nothing reads the keys). Called before the first question is shown: keys
    /// typed before it are dropped, and none typed after it is.
    pub fn keys_at_once(&mut self) -> io::Result<()> {
        if self.on_signal.is_some() {
            return Ok(());
        }
        let mut keys_at_once = self.saved.clone();
        // No line editing (each key is read as it is typed), no echo, and Ctrl-C, Ctrl-\ and
        // Ctrl-Z read as keys: a Ctrl-C aborts the review by the review's own rule (nothing
        // written, exit 2), not by a signal. Output is left as it was ("\n" still starts a
        // line at its left edge).
        keys_at_once.local_modes -=
            LocalModes::ICANON | LocalModes::ECHO | LocalModes::ISIG | LocalModes::IEXTEN;
        keys_at_once.special_codes[SpecialCodeIndex::VMIN] = 1;
        keys_at_once.special_codes[SpecialCodeIndex::VTIME] = 0;
        self.on_signal = Some(restore_terminal_on_signal(self.tty.as_fd(), &self.saved));
        // Keys typed before the first question answer nothing: dropped.
        termios::tcsetattr(&self.tty, OptionalActions::Flush, &keys_at_once)?;
        Ok(())
    }

    /// The next key. End of input (the terminal hung up) is [`Key::EndOfInput`].
    pub fn key(&mut self) -> io::Result<Key> {
        if let Some(key) = self.typed.pop_front() {
            return Ok(key);
        }
        self.keys_at_once()?;
        self.read_keys()?;
        Ok(self.typed.pop_front().unwrap_or(Key::Other))
    }

    /// Between questions (while the next files are planned), whether Ctrl-C was typed or the
    /// terminal went away: the review ends then, not at the next question, which may be long
    /// in coming or never come. Other keys typed meanwhile are kept as answers to come.
    pub fn abort_typed(&mut self) -> io::Result<Option<Abort>> {
        if self.on_signal.is_none() {
            // The keys are not read as typed yet: Ctrl-C is still the terminal's signal.
            return Ok(None);
        }
        let zero = rustix::event::Timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        let mut tty = [rustix::event::PollFd::new(
            &self.tty,
            rustix::event::PollFlags::IN,
        )];
        if rustix::event::poll(&mut tty, Some(&zero))? > 0 {
            self.read_keys()?;
        }
        Ok(self.typed.iter().find_map(|key| match key {
            Key::Interrupt => Some(Abort::Interrupted),
            Key::EndOfInput => Some(Abort::EndOfInput),
            _ => None,
        }))
    }

    /// Reads what was typed (waiting for a key if none was) into `typed`.
    fn read_keys(&mut self) -> io::Result<()> {
        let mut typed = [0; 64];
        let read = loop {
            match (&self.tty).read(&mut typed) {
                Ok(read) => break read,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                // A terminal that hung up reads as an error (EIO), not as end of file.
                Err(err) if err.raw_os_error() == Some(libc::EIO) => break 0,
                Err(err) => return Err(err),
            }
        };
        if read == 0 {
            self.typed.push_back(Key::EndOfInput);
        } else {
            self.typed.extend(keys_of(&typed[..read]));
        }
        Ok(())
    }

    pub fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        (&self.tty).write_all(bytes)
    }

    /// Whether `--color auto` colours what is shown here: it is a terminal, so unless
    /// `NO_COLOR` or `TERM=dumb` say otherwise.
    pub fn wants_color(&self) -> bool {
        anstream::AutoStream::choice(&self.tty) != anstream::ColorChoice::Never
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        if self.on_signal.is_some() {
            let _ = termios::tcsetattr(&self.tty, OptionalActions::Now, &self.saved);
        }
    }
}
