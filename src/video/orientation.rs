//! Which way a phone video must be turned to be shown upright, read from the container itself.
//!
//! OpenCV 4.6 (Debian 12's) turns ±90° videos the wrong way when it auto-rotates
//! (opencv/opencv#22088), so formcheck turns auto-rotation off and rotates the frames itself.
//! MP4 and QuickTime (every phone) keep the rotation in the video track's header matrix
//! (ISO/IEC 14496-12 `tkhd`); this reads only the boxes on the way to it and seeks over the rest,
//! so a large file costs a few reads.

use std::io::{Read, Seek, SeekFrom};

/// A turn of the stored picture, clockwise, to show it the way every player does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotation {
    Upright,
    Clockwise90,
    Half,
    Clockwise270,
}

impl Rotation {
    /// From a clockwise angle in degrees; `None` unless it is within a degree of a quarter turn.
    pub fn from_clockwise_deg(deg: f64) -> Option<Rotation> {
        if !deg.is_finite() {
            return None;
        }
        let turned = deg.rem_euclid(360.0);
        let quarter = (turned / 90.0).round();
        if (turned - quarter * 90.0).abs() > 1.0 {
            return None;
        }
        Some(match quarter as i64 % 4 {
            0 => Rotation::Upright,
            1 => Rotation::Clockwise90,
            2 => Rotation::Half,
            _ => Rotation::Clockwise270,
        })
    }

    pub fn clockwise_deg(self) -> i32 {
        match self {
            Rotation::Upright => 0,
            Rotation::Clockwise90 => 90,
            Rotation::Half => 180,
            Rotation::Clockwise270 => 270,
        }
    }
}

struct BoxHeader {
    kind: [u8; 4],
    /// Where the box's content starts and ends in the file.
    body: u64,
    end: u64,
}

fn read_u32(r: &mut impl Read) -> Option<u32> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b).ok()?;
    Some(u32::from_be_bytes(b))
}

fn read_header<R: Read + Seek>(r: &mut R, at: u64, limit: u64) -> Option<BoxHeader> {
    if at.checked_add(8)? > limit {
        return None;
    }
    r.seek(SeekFrom::Start(at)).ok()?;
    let size = read_u32(r)? as u64;
    let mut kind = [0u8; 4];
    r.read_exact(&mut kind).ok()?;
    let (body, end) = match size {
        // Size 1: a 64-bit size follows; size 0: the box runs to the end of its parent.
        1 => {
            let mut b = [0u8; 8];
            r.read_exact(&mut b).ok()?;
            (at + 16, at.checked_add(u64::from_be_bytes(b))?)
        }
        0 => (at + 8, limit),
        n => (at + 8, at + n),
    };
    // A box smaller than its header or past its parent ends the walk: every step moves forward.
    (end >= body && end <= limit).then_some(BoxHeader { kind, body, end })
}

/// Walks the children of the box spanning `body..end` lazily, seeking over each one's content.
struct Children<'r, R> {
    reader: &'r mut R,
    at: u64,
    end: u64,
}

impl<R: Read + Seek> Children<'_, R> {
    fn of(reader: &mut R, body: u64, end: u64) -> Children<'_, R> {
        Children {
            reader,
            at: body,
            end,
        }
    }

    fn next_box(&mut self) -> Option<BoxHeader> {
        let header = read_header(self.reader, self.at, self.end)?;
        self.at = header.end;
        Some(header)
    }

    fn find(mut self, kind: &[u8; 4]) -> Option<BoxHeader> {
        std::iter::from_fn(|| self.next_box()).find(|b| &b.kind == kind)
    }
}

/// The rotation of the first video track, `None` when the file is not MP4/QuickTime or has no
/// readable video track header (the caller then falls back to what the decoder reports).
pub fn read_rotation<R: Read + Seek>(r: &mut R) -> Option<Rotation> {
    let file_end = r.seek(SeekFrom::End(0)).ok()?;
    let moov = Children::of(r, 0, file_end).find(b"moov")?;
    let mut at = moov.body;
    while let Some(trak) = read_header(r, at, moov.end) {
        at = trak.end;
        if &trak.kind == b"trak" && is_video(r, &trak) {
            let tkhd = Children::of(r, trak.body, trak.end).find(b"tkhd")?;
            return track_rotation(r, &tkhd);
        }
    }
    None
}

fn is_video<R: Read + Seek>(r: &mut R, trak: &BoxHeader) -> bool {
    let Some(mdia) = Children::of(r, trak.body, trak.end).find(b"mdia") else {
        return false;
    };
    let Some(hdlr) = Children::of(r, mdia.body, mdia.end).find(b"hdlr") else {
        return false;
    };
    // version/flags (4), pre_defined (4), then the handler type.
    let mut handler = [0u8; 4];
    hdlr.end >= hdlr.body + 12
        && r.seek(SeekFrom::Start(hdlr.body + 8)).is_ok()
        && r.read_exact(&mut handler).is_ok()
        && &handler == b"vide"
}

fn track_rotation<R: Read + Seek>(r: &mut R, tkhd: &BoxHeader) -> Option<Rotation> {
    r.seek(SeekFrom::Start(tkhd.body)).ok()?;
    let version = read_u32(r)? >> 24;
    // Times, track id and duration are 20 bytes in version 0 and 32 in version 1; then reserved
    // (8), layer, group, volume, reserved (8), then the matrix.
    let matrix_at = tkhd.body + 4 + if version == 1 { 32 } else { 20 } + 16;
    if matrix_at + 36 > tkhd.end {
        return None;
    }
    r.seek(SeekFrom::Start(matrix_at)).ok()?;
    // a, b of the 16.16 fixed-point matrix [a b u; c d v; x y w]: its first row.
    let a = read_u32(r)? as i32 as f64 / 65536.0;
    let b = read_u32(r)? as i32 as f64 / 65536.0;
    if a == 0.0 && b == 0.0 {
        return None;
    }
    // FFmpeg shows a track turned clockwise by atan2(b, a) (its `get_rotation`), as players do.
    Rotation::from_clockwise_deg(b.atan2(a).to_degrees())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn boxed(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut v = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        v.extend_from_slice(kind);
        v.extend_from_slice(body);
        v
    }

    fn fixed(x: f64) -> [u8; 4] {
        ((x * 65536.0) as i32).to_be_bytes()
    }

    fn tkhd(version: u8, a: f64, b: f64) -> Vec<u8> {
        let mut body = vec![version, 0, 0, 0];
        body.extend(std::iter::repeat_n(
            0u8,
            if version == 1 { 32 } else { 20 } + 16,
        ));
        for v in [a, b, 0.0, -b, a, 0.0, 0.0, 0.0, 1.0] {
            body.extend_from_slice(&fixed(v));
        }
        body.extend_from_slice(&[0; 8]);
        boxed(b"tkhd", &body)
    }

    fn trak(handler: &[u8; 4], header: Vec<u8>) -> Vec<u8> {
        let mut hdlr = vec![0u8; 8];
        hdlr.extend_from_slice(handler);
        hdlr.extend_from_slice(&[0; 12]);
        let mdia = boxed(b"mdia", &boxed(b"hdlr", &hdlr));
        boxed(b"trak", &[header, mdia].concat())
    }

    fn file(traks: &[Vec<u8>]) -> Cursor<Vec<u8>> {
        let ftyp = boxed(b"ftyp", b"isom\0\0\0\0");
        let mdat = boxed(b"mdat", &[7u8; 100]);
        Cursor::new([ftyp, mdat, boxed(b"moov", &traks.concat())].concat())
    }

    #[test]
    fn a_phone_portrait_matrix_is_a_clockwise_quarter_turn() {
        // iPhone portrait: a=0, b=1 (the matrix FFmpeg reports as rotation -90).
        let mut f = file(&[trak(b"vide", tkhd(0, 0.0, 1.0))]);
        assert_eq!(read_rotation(&mut f), Some(Rotation::Clockwise90));
        let mut f = file(&[trak(b"vide", tkhd(1, 0.0, -1.0))]);
        assert_eq!(read_rotation(&mut f), Some(Rotation::Clockwise270));
        let mut f = file(&[trak(b"vide", tkhd(0, -1.0, 0.0))]);
        assert_eq!(read_rotation(&mut f), Some(Rotation::Half));
        let mut f = file(&[trak(b"vide", tkhd(0, 1.0, 0.0))]);
        assert_eq!(read_rotation(&mut f), Some(Rotation::Upright));
    }

    #[test]
    fn the_audio_track_matrix_is_not_the_video_one() {
        let mut f = file(&[
            trak(b"soun", tkhd(0, 0.0, 1.0)),
            trak(b"vide", tkhd(0, 1.0, 0.0)),
        ]);
        assert_eq!(read_rotation(&mut f), Some(Rotation::Upright));
    }

    #[test]
    fn not_an_mp4_or_broken_boxes_give_none_not_a_guess() {
        for bytes in [
            b"\x1aE\xdf\xa3 matroska".to_vec(),
            vec![],
            vec![0xff; 64],
            // A moov claiming more bytes than the file has.
            [boxed(b"ftyp", b"isom"), vec![0, 0, 1, 0], b"moov".to_vec()].concat(),
        ] {
            assert_eq!(read_rotation(&mut Cursor::new(bytes)), None);
        }
        // A skewed matrix is not a quarter turn.
        let mut f = file(&[trak(b"vide", tkhd(0, 0.8, 0.6))]);
        assert_eq!(read_rotation(&mut f), None);
    }

    #[test]
    fn angles_snap_to_quarter_turns_only_when_close() {
        assert_eq!(
            Rotation::from_clockwise_deg(-90.0),
            Some(Rotation::Clockwise270)
        );
        assert_eq!(
            Rotation::from_clockwise_deg(449.6),
            Some(Rotation::Clockwise90)
        );
        assert_eq!(Rotation::from_clockwise_deg(45.0), None);
        assert_eq!(Rotation::from_clockwise_deg(f64::NAN), None);
    }
}
