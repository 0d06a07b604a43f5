//! Python's slice semantics over a byte length, and the `slice` command's range specs.
//!
//! Pure arithmetic: a spec is parsed once, then resolved against the length of the target into
//! the positions to copy, exactly as CPython's `PySlice_AdjustIndices` would compute them.

use anyhow::{Result, bail};

use crate::cli::bytes::{parse_signed_bytes, quoted};

/// One RANGE argument of `mmt slice`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spec {
    /// `START:END[:STEP]`, any part optional.
    Slice {
        start: Option<i64>,
        stop: Option<i64>,
        step: Option<i64>,
    },
    /// `START+LEN`.
    StartLen { start: i64, len: i64 },
    /// A lone `INDEX`: the single byte there.
    Index(i64),
}

/// The positions a spec selects: `start`, `start + step`, ... while before `stop`
/// (after it, for a negative step), as Python's `range(*slice.indices(len))`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selection {
    pub start: i64,
    pub stop: i64,
    pub step: i64,
}

impl Selection {
    /// How many positions the selection holds.
    pub fn len(&self) -> u64 {
        let (span, stride) = if self.step > 0 {
            (self.stop - self.start, self.step)
        } else {
            (self.start - self.stop, -self.step)
        };
        if span <= 0 {
            0
        } else {
            // Both are positive and fit i64, so the division cannot overflow.
            ((span - 1) / stride + 1) as u64
        }
    }

    /// The contiguous byte range when the step is 1 (the common, zero-copy case).
    pub fn as_range(&self) -> Option<std::ops::Range<usize>> {
        if self.step != 1 {
            return None;
        }
        let start = usize::try_from(self.start).ok()?;
        let stop = usize::try_from(self.stop.max(self.start)).ok()?;
        Some(start..stop)
    }

    /// Copies the selected bytes of `data` (whose length the selection was resolved against).
    pub fn gather(&self, data: &[u8]) -> Vec<u8> {
        let count = usize::try_from(self.len()).unwrap_or(usize::MAX);
        let mut out = Vec::with_capacity(count);
        let mut pos = self.start;
        for _ in 0..count {
            // Every position of a resolved selection lies inside the data.
            out.push(data[pos as usize]);
            pos += self.step;
        }
        out
    }

    /// The lowest position the selection touches, used as the record's offset.
    pub fn lowest(&self) -> u64 {
        if self.step > 0 || self.len() == 0 {
            self.start.max(0) as u64
        } else {
            (self.start + (self.len() as i64 - 1) * self.step) as u64
        }
    }
}

impl Spec {
    pub fn parse(text: &[u8]) -> Result<Spec> {
        match Self::parse_parts(text) {
            Ok(spec) => Ok(spec),
            Err(reason) => bail!("invalid range {}: {reason}", quoted(text)),
        }
    }

    fn parse_parts(text: &[u8]) -> Result<Spec, String> {
        if text.contains(&b':') {
            let parts: Vec<&[u8]> = text.split(|&b| b == b':').collect();
            if parts.len() > 3 {
                return Err("expected START:END[:STEP]".into());
            }
            let bound = |i: usize| -> Result<Option<i64>, String> {
                match parts.get(i) {
                    None | Some([]) => Ok(None),
                    Some(part) => parse_signed_bytes(part).map(Some),
                }
            };
            let step = bound(2)?;
            if step == Some(0) {
                return Err("slice step cannot be zero".into());
            }
            return Ok(Spec::Slice {
                start: bound(0)?,
                stop: bound(1)?,
                step,
            });
        }
        // A '+' after the first byte separates START from LEN; a leading one is a sign.
        if let Some(plus) = text.iter().skip(1).position(|&b| b == b'+') {
            let (start, len) = (&text[..=plus], &text[plus + 2..]);
            let len = parse_signed_bytes(len)?;
            if len < 0 {
                return Err("LEN must not be negative".into());
            }
            return Ok(Spec::StartLen {
                start: parse_signed_bytes(start)?,
                len,
            });
        }
        Ok(Spec::Index(parse_signed_bytes(text)?))
    }

    /// The positions this spec selects in a target of `len` bytes.
    pub fn resolve(&self, len: u64) -> Result<Selection> {
        let len = i64::try_from(len).unwrap_or(i64::MAX);
        match *self {
            Spec::Slice { start, stop, step } => Ok(adjust_indices(start, stop, step, len)),
            Spec::StartLen { start, len: count } => {
                // START is resolved against the length first, so `-3+5` is the last three bytes
                // (a literal `-3:2` would be empty), then the range is clamped like a slice.
                let first = adjust_indices(Some(start), None, None, len).start;
                let stop = first.saturating_add(count).min(len);
                Ok(Selection {
                    start: first,
                    stop,
                    step: 1,
                })
            }
            Spec::Index(index) => {
                let at = if index < 0 {
                    index.checked_add(len)
                } else {
                    Some(index)
                };
                match at.filter(|&at| (0..len).contains(&at)) {
                    Some(at) => Ok(Selection {
                        start: at,
                        stop: at + 1,
                        step: 1,
                    }),
                    None => bail!("index {index} is outside the file ({len} bytes)"),
                }
            }
        }
    }

    /// When every bound is known without the target's length, how many bytes from the start the
    /// spec can reach; `None` when it counts from the end. Lets an endless stream be read only
    /// as far as needed.
    pub fn reach(&self) -> Option<u64> {
        let non_negative = |v: i64| u64::try_from(v).ok();
        match *self {
            Spec::Index(index) => non_negative(index).map(|i| i.saturating_add(1)),
            Spec::StartLen { start, len } => {
                Some(non_negative(start)?.saturating_add(non_negative(len)?))
            }
            Spec::Slice { start, stop, step } if step.unwrap_or(1) > 0 => {
                let start = start.map_or(Some(0), non_negative)?;
                Some(non_negative(stop?)?.max(start))
            }
            Spec::Slice { start, stop, .. } => {
                // Walking backwards from an explicit start never reads past it; a bound that
                // counts from the end needs the real length.
                if stop.is_some_and(|s| s < 0) {
                    return None;
                }
                Some(non_negative(start?)?.saturating_add(1))
            }
        }
    }
}

/// CPython's `PySlice_AdjustIndices`: clamps the bounds of `[start:stop:step]` into a sequence
/// of `len` items. The step must not be 0 (the parser refuses it).
pub fn adjust_indices(
    start: Option<i64>,
    stop: Option<i64>,
    step: Option<i64>,
    len: i64,
) -> Selection {
    let step = step.unwrap_or(1);
    let (lower, upper) = if step < 0 { (-1, len - 1) } else { (0, len) };
    let clamp = |value: Option<i64>, default: i64| match value {
        None => default,
        Some(v) if v < 0 => v.saturating_add(len).max(lower),
        Some(v) => v.min(upper),
    };
    let (start_default, stop_default) = if step < 0 {
        (upper, lower)
    } else {
        (lower, upper)
    };
    Selection {
        start: clamp(start, start_default),
        stop: clamp(stop, stop_default),
        step,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(spec: &str, len: u64) -> Vec<i64> {
        let s = Spec::parse(spec.as_bytes()).unwrap().resolve(len).unwrap();
        (0..s.len() as i64).map(|i| s.start + i * s.step).collect()
    }

    #[test]
    fn slices_follow_python() {
        assert_eq!(sel(":3", 10), [0, 1, 2]);
        assert_eq!(sel("-3:", 10), [7, 8, 9]);
        assert_eq!(sel("::-3", 10), [9, 6, 3, 0]);
        assert_eq!(sel("8:2:-2", 10), [8, 6, 4]);
        assert_eq!(sel("-100:100", 3), [0, 1, 2]);
        assert_eq!(sel("5:2", 10), Vec::<i64>::new());
        assert_eq!(sel("::-1", 0), Vec::<i64>::new());
    }

    #[test]
    fn start_len_and_index() {
        assert_eq!(sel("2+3", 10), [2, 3, 4]);
        assert_eq!(sel("-3+5", 10), [7, 8, 9]);
        assert_eq!(sel("0x8+100", 10), [8, 9]);
        assert_eq!(sel("-1", 10), [9]);
        assert_eq!(sel("+4", 10), [4]);
        let err = Spec::parse(b"10").unwrap().resolve(10).unwrap_err();
        assert_eq!(err.to_string(), "index 10 is outside the file (10 bytes)");
        assert!(Spec::parse(b"-11").unwrap().resolve(10).is_err());
    }

    #[test]
    fn bad_specs_are_refused() {
        for bad in ["1:2:0", "1:2:3:4", "a:", "1+-2", "1+", "x", ""] {
            assert!(Spec::parse(bad.as_bytes()).is_err(), "{bad}");
        }
    }

    #[test]
    fn reach_is_known_only_for_bounds_from_the_start() {
        let reach = |s: &str| Spec::parse(s.as_bytes()).unwrap().reach();
        assert_eq!(reach(":10"), Some(10));
        assert_eq!(reach("5+10"), Some(15));
        assert_eq!(reach("7"), Some(8));
        assert_eq!(reach("9::-1"), Some(10));
        assert_eq!(reach("-3:"), None);
        assert_eq!(reach("3:"), None);
        assert_eq!(reach("::-1"), None);
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Python's slice rules as the language reference states them, item by item: bounds that are
    /// negative get `len` added, then are clipped into the sequence; omitted bounds are the ends
    /// that the step's sign walks from and to.
    fn reference(len: i64, start: Option<i64>, stop: Option<i64>, step: i64) -> Vec<i64> {
        let normalise = |v: i64| if v < 0 { v + len } else { v };
        let mut out = Vec::new();
        if step > 0 {
            let from = start.map_or(0, |s| normalise(s).clamp(0, len));
            let to = stop.map_or(len, |s| normalise(s).clamp(0, len));
            let mut x = from;
            while x < to {
                out.push(x);
                x += step;
            }
        } else {
            let from = start.map_or(len - 1, |s| normalise(s).clamp(-1, len - 1));
            let to = stop.map_or(-1, |s| normalise(s).clamp(-1, len - 1));
            let mut x = from;
            while x > to {
                out.push(x);
                x += step;
            }
        }
        out
    }

    fn bound() -> impl Strategy<Value = Option<i64>> {
        prop_oneof![Just(None), (-40i64..40).prop_map(Some)]
    }

    proptest! {
        #![proptest_config(crate::property_config(2000))]

        #[test]
        fn slices_match_the_reference(
            len in 0i64..30,
            start in bound(),
            stop in bound(),
            step in prop_oneof![(-7i64..=-1), (1i64..=7)],
        ) {
            let selection = adjust_indices(start, stop, Some(step), len);
            let got: Vec<i64> = (0..selection.len() as i64).map(|i| selection.start + i * selection.step).collect();
            prop_assert_eq!(got, reference(len, start, stop, step));
            let data: Vec<u8> = (0..len as u8).collect();
            let gathered: Vec<i64> = selection.gather(&data).into_iter().map(i64::from).collect();
            prop_assert_eq!(gathered, reference(len, start, stop, step));
        }

        #[test]
        fn parsing_and_resolving_never_panic(text in prop::collection::vec(any::<u8>(), 0..24), len in any::<u64>()) {
            if let Ok(spec) = Spec::parse(&text) {
                let _ = spec.resolve(len);
                let _ = spec.reach();
            }
        }

        #[test]
        fn extreme_bounds_resolve_inside_the_data(
            start in any::<Option<i64>>(),
            stop in any::<Option<i64>>(),
            step in any::<i64>().prop_filter("step 0 is refused by the parser", |s| *s != 0),
            len in 0u64..1000,
        ) {
            let spec = Spec::Slice { start, stop, step: Some(step) };
            let selection = spec.resolve(len).unwrap();
            let count = selection.len();
            prop_assert!(count <= len);
            if count > 0 {
                let last = selection.start as i128 + (count as i128 - 1) * selection.step as i128;
                prop_assert!((0..len as i128).contains(&(selection.start as i128)));
                prop_assert!((0..len as i128).contains(&last));
            }
        }
    }
}
