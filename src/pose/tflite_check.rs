//! A bounds check of a `.tflite` file before LiteRT reads it. LiteRT trusts the FlatBuffer it is
//! given (it does not run FlatBuffers' verifier), so a truncated or damaged model would crash the
//! process instead of giving an error. This walks every table, vector and string of the parts of
//! TFLite's schema (`tensorflow/compiler/mlir/lite/schema/schema.fbs`) a model loader reads —
//! model, operator codes, subgraphs, tensors, operators, buffers, metadata, signatures — and
//! checks each lies inside the file. Pure code on a byte slice.

/// What is wrong with the file, in words for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TfliteCheckError(String);

fn err<T>(what: impl Into<String>) -> Result<T, TfliteCheckError> {
    Err(TfliteCheckError(what.into()))
}

/// TFLite's file identifier, at bytes 4..8.
const IDENTIFIER: &[u8; 4] = b"TFL3";

struct Reader<'a> {
    bytes: &'a [u8],
}

/// A table: its position and its vtable's position and length.
#[derive(Clone, Copy)]
struct Table {
    at: usize,
    vtable: usize,
    vtable_len: usize,
}

impl<'a> Reader<'a> {
    fn slice(&self, at: usize, len: usize, what: &str) -> Result<&'a [u8], TfliteCheckError> {
        match at.checked_add(len) {
            Some(end) if end <= self.bytes.len() => Ok(&self.bytes[at..end]),
            _ => err(format!(
                "it is cut short or damaged: {what} at byte {at} runs past its end ({} bytes)",
                self.bytes.len()
            )),
        }
    }

    fn u16(&self, at: usize, what: &str) -> Result<usize, TfliteCheckError> {
        let b = self.slice(at, 2, what)?;
        Ok(u16::from_le_bytes([b[0], b[1]]) as usize)
    }

    fn u32(&self, at: usize, what: &str) -> Result<usize, TfliteCheckError> {
        let b = self.slice(at, 4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    }

    fn u64(&self, at: usize, what: &str) -> Result<u64, TfliteCheckError> {
        let b = self.slice(at, 8, what)?;
        let mut w = [0u8; 8];
        w.copy_from_slice(b);
        Ok(u64::from_le_bytes(w))
    }

    /// Follows the unsigned offset stored at `at`.
    fn follow(&self, at: usize, what: &str) -> Result<usize, TfliteCheckError> {
        let offset = self.u32(at, what)?;
        at.checked_add(offset)
            .filter(|&p| p < self.bytes.len())
            .map_or_else(
                || {
                    err(format!(
                        "it is cut short or damaged: {what} points past its end"
                    ))
                },
                Ok,
            )
    }

    fn table(&self, at: usize, what: &str) -> Result<Table, TfliteCheckError> {
        let b = self.slice(at, 4, what)?;
        let back = i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as i64;
        let vtable = at as i64 - back;
        if vtable < 0 {
            return err(format!("it is damaged: {what} has no valid layout"));
        }
        let vtable = vtable as usize;
        let vtable_len = self.u16(vtable, what)?;
        let table_len = self.u16(vtable + 2, what)?;
        if vtable_len < 4 || vtable_len % 2 != 0 {
            return err(format!("it is damaged: {what} has no valid layout"));
        }
        self.slice(vtable, vtable_len, what)?;
        self.slice(at, table_len, what)?;
        Ok(Table {
            at,
            vtable,
            vtable_len,
        })
    }

    /// Where field `index` of `table` sits, if present.
    fn field(&self, table: Table, index: usize) -> Result<Option<usize>, TfliteCheckError> {
        let slot = 4 + 2 * index;
        if slot + 2 > table.vtable_len {
            return Ok(None);
        }
        let offset = self.u16(table.vtable + slot, "a field")?;
        Ok((offset != 0).then_some(table.at + offset))
    }

    /// The vector in field `index`: its first element's position and its length, after checking
    /// that `len × elem_size` bytes are there.
    fn vector(
        &self,
        table: Table,
        index: usize,
        elem_size: usize,
        what: &str,
    ) -> Result<Option<(usize, usize)>, TfliteCheckError> {
        let Some(at) = self.field(table, index)? else {
            return Ok(None);
        };
        let start = self.follow(at, what)?;
        let len = self.u32(start, what)?;
        let bytes = len
            .checked_mul(elem_size)
            .map_or_else(|| err(format!("it is damaged: {what} is too long")), Ok)?;
        self.slice(start + 4, bytes, what)?;
        Ok(Some((start + 4, len)))
    }

    fn tables(
        &self,
        table: Table,
        index: usize,
        what: &str,
    ) -> Result<Vec<Table>, TfliteCheckError> {
        let Some((first, len)) = self.vector(table, index, 4, what)? else {
            return Ok(Vec::new());
        };
        (0..len)
            .map(|i| {
                let at = self.follow(first + 4 * i, what)?;
                self.table(at, what)
            })
            .collect()
    }

    fn sub_table(
        &self,
        table: Table,
        index: usize,
        what: &str,
    ) -> Result<Option<Table>, TfliteCheckError> {
        match self.field(table, index)? {
            Some(at) => {
                let target = self.follow(at, what)?;
                self.table(target, what).map(Some)
            }
            None => Ok(None),
        }
    }
}

/// Checks that everything a model loader reads lies inside `bytes`.
pub fn check_tflite(bytes: &[u8]) -> Result<(), TfliteCheckError> {
    if bytes.len() < 8 {
        return err("it is too short to be a TFLite model");
    }
    if &bytes[4..8] != IDENTIFIER {
        return err("it is not a TFLite model (no TFL3 identifier)");
    }
    let r = Reader { bytes };
    let root = r.follow(0, "the model")?;
    let model = r.table(root, "the model")?;
    for code in r.tables(model, 1, "an operator code")? {
        r.vector(code, 1, 1, "a custom operator name")?;
    }
    for subgraph in r.tables(model, 2, "a subgraph")? {
        for tensor in r.tables(subgraph, 0, "a tensor")? {
            r.vector(tensor, 0, 4, "a tensor shape")?;
            r.vector(tensor, 3, 1, "a tensor name")?;
            if let Some(q) = r.sub_table(tensor, 4, "a tensor's quantisation")? {
                for (field, size) in [(0, 4), (1, 4), (2, 4), (3, 8)] {
                    r.vector(q, field, size, "quantisation parameters")?;
                }
                r.sub_table(q, 5, "quantisation details")?;
            }
            r.sub_table(tensor, 6, "a tensor's sparsity")?;
            r.vector(tensor, 7, 4, "a tensor shape signature")?;
        }
        r.vector(subgraph, 1, 4, "subgraph inputs")?;
        r.vector(subgraph, 2, 4, "subgraph outputs")?;
        for op in r.tables(subgraph, 3, "an operator")? {
            r.vector(op, 1, 4, "operator inputs")?;
            r.vector(op, 2, 4, "operator outputs")?;
            r.sub_table(op, 4, "operator options")?;
            r.vector(op, 5, 1, "custom operator options")?;
            r.vector(op, 7, 1, "operator variable inputs")?;
            r.vector(op, 8, 4, "operator intermediates")?;
        }
        r.vector(subgraph, 4, 1, "a subgraph name")?;
    }
    r.vector(model, 3, 1, "the model description")?;
    for buffer in r.tables(model, 4, "a weights buffer")? {
        r.vector(buffer, 0, 1, "weights")?;
        // Models over 2 GB keep weights after the FlatBuffer, at an absolute offset.
        if let (Some(o), Some(s)) = (r.field(buffer, 1)?, r.field(buffer, 2)?) {
            let (offset, size) = (r.u64(o, "weights")?, r.u64(s, "weights")?);
            if offset > 1 {
                let (Ok(offset), Ok(size)) = (usize::try_from(offset), usize::try_from(size))
                else {
                    return err("it is damaged: weights lie beyond any file size");
                };
                r.slice(offset, size, "weights")?;
            }
        }
    }
    r.vector(model, 5, 4, "metadata buffers")?;
    for metadata in r.tables(model, 6, "metadata")? {
        r.vector(metadata, 0, 1, "a metadata name")?;
    }
    for signature in r.tables(model, 7, "a signature")? {
        for side in [0, 1] {
            for map in r.tables(signature, side, "a signature tensor")? {
                r.vector(map, 0, 1, "a signature tensor name")?;
            }
        }
        r.vector(signature, 2, 1, "a signature key")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn bundled(name: &str) -> Vec<u8> {
        std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("models")
                .join(name),
        )
        .expect("bundled model")
    }

    #[test]
    fn bundled_models_pass() {
        for name in [
            "pose_detection.tflite",
            "pose_landmark_lite.tflite",
            "pose_landmark_full.tflite",
        ] {
            assert_eq!(check_tflite(&bundled(name)), Ok(()), "{name}");
        }
    }

    #[test]
    fn truncated_model_is_refused_wherever_it_is_cut() {
        // Regression: a truncated .tflite crashed LiteRT (SIGSEGV) instead of an error.
        let bytes = bundled("pose_detection.tflite");
        for percent in 0..100 {
            let cut = bytes.len() * percent / 100;
            assert!(
                check_tflite(&bytes[..cut]).is_err(),
                "cut at {percent} % passed"
            );
        }
    }

    #[test]
    fn other_files_are_refused() {
        assert!(check_tflite(b"").is_err());
        assert!(check_tflite(b"not a model at all").is_err());
        let onnx_like = b"\x08\x07\x12\x07pytorch";
        assert!(check_tflite(onnx_like).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Damaged bytes never make the check itself panic or read out of bounds.
        #[test]
        fn damaged_models_never_panic(flips in proptest::collection::vec((0usize..4096, any::<u8>()), 1..8)) {
            let mut bytes = bundled("pose_detection.tflite");
            for (at, value) in flips {
                bytes[at] = value;
            }
            let _ = check_tflite(&bytes);
        }
    }
}
