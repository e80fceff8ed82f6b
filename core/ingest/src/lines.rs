//! Line numbers of positions in a text, counted forward so that numbering every record of
//! a large file reads it once (counting from the start each time made reading quadratic).

/// Lines of records, counted forward from the last record (offsets only grow), so a large
/// file is scanned once.
pub(crate) struct Lines<'t> {
    bytes: &'t [u8],
    offset: usize,
    line: usize,
}

impl<'t> Lines<'t> {
    pub(crate) fn new(text: &'t str) -> Lines<'t> {
        Lines {
            bytes: text.as_bytes(),
            offset: 0,
            line: 1,
        }
    }

    /// The line a record starting at `offset` is on. An offset pointing at a `\n` counts
    /// that `\n` to the line above: the csv crate ends a CRLF record at its `\r`, so the
    /// next record's offset is the `\n` before it.
    pub(crate) fn at(&mut self, offset: usize) -> usize {
        let through = if self.bytes.get(offset) == Some(&b'\n') {
            offset + 1
        } else {
            offset
        };
        if through < self.offset {
            // Not expected (offsets grow); count from the start rather than guess.
            self.offset = 0;
            self.line = 1;
        }
        let segment = self.bytes.get(self.offset..through).unwrap_or(&[]);
        self.line += segment.iter().filter(|b| **b == b'\n').count();
        self.offset = through;
        self.line
    }
}
