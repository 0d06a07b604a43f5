//! Unsigned LEB128 numbers: small numbers in one byte, as the undo files and plans keep their
//! offsets.

/// Appends `value` as unsigned LEB128: seven bits a byte, low bits first.
pub fn push_leb128(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let low = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(low);
            return;
        }
        out.push(low | 0x80);
    }
}

/// Reads one unsigned LEB128 number from the front of `bytes`, and what follows it.
#[inline]
pub fn take_leb128(bytes: &[u8]) -> Option<(u64, &[u8])> {
    let mut value = 0u64;
    for (i, &byte) in bytes.iter().enumerate().take(10) {
        value |= u64::from(byte & 0x7f).checked_shl(7 * i as u32)?;
        if byte & 0x80 == 0 {
            return Some((value, &bytes[i + 1..]));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leb128_round_trips_at_the_edges() {
        for value in [0, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
            let mut out = Vec::new();
            push_leb128(&mut out, value);
            assert_eq!(take_leb128(&out), Some((value, &[][..])), "{value}");
        }
        let mut big = Vec::new();
        push_leb128(&mut big, 300);
        assert_eq!(big, [0xac, 0x02]);
    }
}
