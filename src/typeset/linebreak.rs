//! Line breaking: the items of a paragraph and a total-fit breaker that
//! applies the clreq rules.
//!
//! A paragraph is a row of [`Atom`]s (one per grapheme cluster: a Han
//! character, a mark, a Latin letter or ligature) with a [`Junction`]
//! between each two. A junction carries the glue of that place (the 1/4 em
//! CJK-Latin gap, a word space, the negative width of two compressed marks,
//! the stretch of inter-character spacing) and whether a line may end
//! there. Break opportunities come from UAX #14 (icu_segmenter, strict)
//! and are then narrowed by the clreq basic prohibitions. [`break_lines`]
//! chooses the breaks for the whole paragraph at once (Knuth-Plass), so a
//! line that would start with a forbidden mark is solved by compressing
//! punctuation on the line above (push-in) when that costs less than moving
//! a character down (push-out), and a one-character last line is avoided.

use std::ops::Range;

use icu_segmenter::options::{LineBreakOptions, LineBreakStrictness};
use icu_segmenter::LineSegmenter;

/// What a character is, for spacing and breaking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Han characters, kana, full-width letters and symbols.
    Ideo,
    /// Latin letters and digits (and the Latin marks among them).
    Latin,
    /// Opening marks: `「『“‘（《〈【〖〔［｛`.
    Open,
    /// Closing marks: `」』”’）》〉】〗〕］｝`.
    Close,
    /// Pause and stop marks: `。．，、：；！？`.
    Stop,
    /// The middle dot, the iteration marks, the wave dash.
    Middle,
    /// A dash `—` (two of them make the Chinese dash).
    Dash,
    /// An ellipsis `…` or `⋯` (two of them make the Chinese ellipsis).
    Ellipsis,
}

impl Class {
    pub fn of(c: char) -> Class {
        match c {
            '「' | '『' | '“' | '‘' | '（' | '《' | '〈' | '【' | '〖' | '〔' | '［' | '｛' => {
                Class::Open
            }
            '」' | '』' | '”' | '’' | '）' | '》' | '〉' | '】' | '〗' | '〕' | '］' | '｝' => {
                Class::Close
            }
            '。' | '．' | '，' | '、' | '：' | '；' | '！' | '‼' | '？' | '⁇' => {
                Class::Stop
            }
            '·' | '・' | '～' | '〜' | '々' | '〻' => Class::Middle,
            '—' | '⸺' | '―' => Class::Dash,
            '…' | '⋯' => Class::Ellipsis,
            _ if is_ideographic(c) => Class::Ideo,
            _ => Class::Latin,
        }
    }

    /// CJK marks: no CJK-Latin gap next to them.
    pub fn is_mark(self) -> bool {
        !matches!(self, Class::Ideo | Class::Latin)
    }

    pub fn is_cjk(self) -> bool {
        self != Class::Latin
    }
}

/// Characters set on the CJK grid: Han, kana, Hangul, full-width forms,
/// CJK symbols, enclosed and Roman numerals, and the private-use
/// characters that GB18030's user-defined characters decode to.
pub fn is_ideographic(c: char) -> bool {
    matches!(c as u32,
        0x2160..=0x217F   // Roman numerals
        | 0x2460..=0x24FF // enclosed alphanumerics ①
        | 0x2E80..=0x2FFF // radicals
        | 0x3000..=0x303F // CJK symbols and punctuation
        | 0x3040..=0x30FF // kana
        | 0x3100..=0x31FF // bopomofo, kana extensions
        | 0x3200..=0x33FF // enclosed CJK, compatibility
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xAC00..=0xD7AF // Hangul
        | 0xE000..=0xF8FF // private use: user-defined characters (造字)
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF01..=0xFF60 // full-width forms
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFF)
}

/// clreq 3.1.7, basic level: these never start a line.
pub fn no_line_start(c: char) -> bool {
    matches!(
        c,
        '。' | '．'
            | '，'
            | '、'
            | '：'
            | '；'
            | '！'
            | '‼'
            | '？'
            | '⁇'
            | '」'
            | '』'
            | '”'
            | '’'
            | '）'
            | '》'
            | '〉'
            | '】'
            | '〗'
            | '〕'
            | '］'
            | '｝'
            | '·'
            | '・'
            | '～'
            | '〜'
            | '々'
            | '〻'
            | 'ぁ'
            | 'ぃ'
            | 'ぅ'
            | 'ぇ'
            | 'ぉ'
            | 'っ'
            | 'ゃ'
            | 'ゅ'
            | 'ょ'
            | 'ゎ'
            | 'ゕ'
            | 'ゖ'
            | 'ァ'
            | 'ィ'
            | 'ゥ'
            | 'ェ'
            | 'ォ'
            | 'ッ'
            | 'ャ'
            | 'ュ'
            | 'ョ'
            | 'ヮ'
            | 'ヵ'
            | 'ヶ'
            | 'ー'
    ) || ('\u{31F0}'..='\u{31FF}').contains(&c)
}

/// clreq 3.1.7: opening marks never end a line.
pub fn no_line_end(c: char) -> bool {
    Class::of(c) == Class::Open
}

/// clreq 3.2.1: a Western character that is set apart from Han by the
/// quarter-em gap: letters and digits (and the percent and per-mille
/// signs, which belong to their number). Punctuation and symbols (slash,
/// brackets, backquote, bullet, dashes, quotes) touch the Han characters
/// beside them.
pub fn takes_gap(c: char) -> bool {
    (c.is_alphanumeric() && !is_ideographic(c)) || matches!(c, '%' | '‰')
}

/// One grapheme cluster on a line.
#[derive(Debug, Clone)]
pub struct Atom {
    /// Bytes of the paragraph text it stands for.
    pub text: Range<u32>,
    /// Its glyphs in the paragraph's glyph list.
    pub glyphs: Range<u32>,
    /// Natural advance in points.
    pub width: f32,
    /// The em of its size, in points.
    pub em: f32,
    pub class: Class,
    /// Blank of a full-width mark (points), from the font's `halt`.
    pub blank_left: f32,
    pub blank_right: f32,
    /// How much push-in may take from it (points).
    pub shrink: f32,
    /// How much of it hangs past the end of a line it ends (points):
    /// hanging punctuation, 0 for everything else.
    pub hang: f32,
    /// Width of a word space in its face (points).
    pub space: f32,
    /// Index of its style in the paragraph.
    pub style: u16,
    /// The first character.
    pub first: char,
    /// The last character.
    pub last: char,
}

/// Whether and at what cost a line may end at a junction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Brk {
    Never,
    /// Allowed with this penalty (demerit points, 0 = free).
    Allowed(f32),
    /// Only when nothing else fits: inside a Latin word.
    Emergency,
    /// A forced line break from the source.
    Forced,
}

/// The place between two atoms.
#[derive(Debug, Clone, Copy)]
pub struct Junction {
    pub width: f32,
    pub stretch: f32,
    pub shrink: f32,
    pub brk: Brk,
    /// A space from the source lies here.
    pub space: bool,
}

/// Spacing choices of a paragraph.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    /// The 1/4 em gap between Han and Latin.
    pub cjk_latin_gap: bool,
    /// clreq strict level: no `——` or `……` at line start.
    pub strict: bool,
    /// Space added between two CJK characters, in em (negative: closer),
    /// so that a set number of characters fills the measure.
    pub tracking: f32,
}

/// Inter-character stretch per junction, in em. Small, so that spreading a
/// line evenly stays invisible and push-in is preferred when it is
/// possible.
const STRETCH: f32 = 0.15;

/// UAX #14 break opportunities of `text` (byte offsets), strict.
pub fn uax14_breaks(text: &str) -> Vec<usize> {
    let mut options = LineBreakOptions::default();
    options.strictness = Some(LineBreakStrictness::Strict);
    let segmenter = LineSegmenter::new_for_non_complex_scripts(options);
    segmenter.segment_str(text).collect()
}

/// Computes the junctions between `atoms` of `text` and the push-in
/// shrink of each atom.
pub fn make_junctions(text: &str, atoms: &mut [Atom], rules: Rules) -> Vec<Junction> {
    let breaks = uax14_breaks(text);
    let mut next_break = 0usize;
    let mut out = Vec::with_capacity(atoms.len());
    for atom in atoms.iter_mut() {
        atom.shrink = atom.blank_left + atom.blank_right;
    }
    for i in 0..atoms.len().saturating_sub(1) {
        let (a, b) = (&atoms[i], &atoms[i + 1]);
        let between = text
            .get(a.text.end as usize..b.text.start as usize)
            .unwrap_or("");
        let forced = between.contains('\n');
        let space = !forced && between.chars().any(char::is_whitespace);
        // Any UAX #14 opportunity from the end of a to the start of b.
        while next_break < breaks.len() && breaks[next_break] < a.text.end as usize {
            next_break += 1;
        }
        let uax = next_break < breaks.len() && breaks[next_break] <= b.text.start as usize;
        // Next to a CJK mark, or between two Han characters, clreq decides
        // alone: UAX #14 treats “ ” ‘ ’ as ambiguous quotation marks that
        // keep to both neighbours, where Chinese text breaks before an
        // opening and after a closing mark.
        let opportunity = if a.class.is_mark()
            || b.class.is_mark()
            || (a.class == Class::Ideo && b.class == Class::Ideo)
        {
            true
        } else {
            uax
        };
        let same_pair = (a.class == Class::Dash && b.class == Class::Dash)
            || (a.class == Class::Ellipsis && b.class == Class::Ellipsis);
        // clreq 3.1.7: closing and stop marks never start a line, opening
        // marks never end one, and `——` `……` are never split.
        let forbidden = no_line_start(b.first)
            || no_line_end(a.last)
            || same_pair
            || (rules.strict && matches!(b.class, Class::Dash | Class::Ellipsis));
        let brk = if forced {
            Brk::Forced
        } else if forbidden {
            Brk::Never
        } else if opportunity {
            // A number and the unit or measure word after it are never
            // split (2022|年, 27|条).
            if a.class == Class::Latin && a.last.is_ascii_digit() && b.class == Class::Ideo {
                Brk::Never
            } else {
                Brk::Allowed(0.0)
            }
        } else if a.class == Class::Latin && b.class == Class::Latin {
            Brk::Emergency
        } else {
            Brk::Never
        };
        let em = a.em.max(b.em);
        // Two CJK characters, neither of them a dash or an ellipsis (whose
        // two halves may be one glyph and an empty one).
        let plain = |c: Class| c.is_cjk() && !matches!(c, Class::Dash | Class::Ellipsis);
        let both_cjk = plain(a.class) && plain(b.class);
        let mut j = Junction {
            width: 0.0,
            stretch: STRETCH * em,
            shrink: 0.0,
            brk,
            space,
        };
        if space {
            if a.class.is_cjk() && b.class.is_cjk() {
                // A deliberate space between Chinese phrases: a visible
                // half-em gap.
                j.width = 0.5 * em;
                j.stretch = 0.25 * em;
                j.shrink = 0.2 * em;
            } else {
                let space_width = a.space.max(b.space);
                j.width = space_width;
                j.stretch = space_width * 0.6 + STRETCH * em;
                j.shrink = space_width * 0.3;
            }
        } else if a.class == Class::Latin && b.class == Class::Latin {
            // Never stretch inside a Latin word.
            j.stretch = 0.0;
        } else if same_pair {
            // The two halves of `——` or `……` stay joined.
            j.stretch = 0.0;
        } else if rules.cjk_latin_gap
            && ((a.class == Class::Ideo && b.class == Class::Latin && takes_gap(b.first))
                || (a.class == Class::Latin && takes_gap(a.last) && b.class == Class::Ideo))
        {
            // clreq 3.2.1: a quarter em between Han and Western text,
            // made by positioning, not by a space character.
            let cjk_em = if a.class == Class::Ideo { a.em } else { b.em };
            j.width = 0.25 * cjk_em;
            j.shrink = 0.125 * cjk_em;
        } else if a.blank_right + a.blank_left > 0.0 && b.blank_left + b.blank_right > 0.0 {
            // clreq 3.1.6.1: two adjacent marks take 1.5 em; the blank half
            // of one of them goes.
            if a.blank_right > 0.0 {
                j.width = -a.blank_right;
                atoms[i].shrink = 0.0;
            } else if b.blank_left > 0.0 {
                j.width = -b.blank_left;
                atoms[i + 1].shrink = 0.0;
            }
        }
        if !space && both_cjk {
            // A set number of characters per line (GB/T 9704).
            j.width += rules.tracking * em;
        }
        out.push(j);
    }
    out
}

/// A paragraph ready to break.
pub struct Para<'a> {
    pub text: &'a str,
    pub atoms: &'a [Atom],
    /// `atoms.len() - 1` junctions.
    pub junctions: &'a [Junction],
}

/// How to break a paragraph.
#[derive(Debug, Clone, Copy)]
pub struct Measure {
    /// Line width in points.
    pub width: f32,
    /// Indent of the first line in points.
    pub first_indent: f32,
    /// Ragged lines (headings, cells): breaks are chosen for even lengths,
    /// lines are not stretched.
    pub ragged: bool,
}

/// One line: atoms `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineSpan {
    pub start: usize,
    pub end: usize,
    /// The last line of the paragraph or before a forced break: set at its
    /// natural width.
    pub last: bool,
}

/// Widths of a candidate line.
#[derive(Debug, Clone, Copy)]
pub struct LineMetrics {
    pub natural: f32,
    pub stretch: f32,
    pub shrink: f32,
    /// Taken from the first atom (opening mark at line start).
    pub trim_start: f32,
    /// Taken from the last atom (closing or stop mark at line end).
    pub trim_end: f32,
}

/// Prefix sums over a paragraph, so that any line is measured in O(1).
/// Two vectors, not one per sum: a book of many short paragraphs makes
/// one of these for each.
pub struct Sums {
    /// Per atom boundary: width and shrink of the atoms before it.
    atoms: Vec<[f32; 2]>,
    /// Per junction boundary: width, stretch and shrink of the junctions
    /// before it.
    junctions: Vec<[f32; 3]>,
}

impl Sums {
    pub fn new(para: &Para<'_>) -> Sums {
        let mut atoms = Vec::with_capacity(para.atoms.len() + 1);
        let (mut w, mut sh) = (0.0f32, 0.0f32);
        atoms.push([0.0, 0.0]);
        for a in para.atoms {
            w += a.width;
            sh += a.shrink;
            atoms.push([w, sh]);
        }
        let mut junctions = Vec::with_capacity(para.junctions.len() + 1);
        let (mut w, mut st, mut sh) = (0.0f32, 0.0f32, 0.0f32);
        junctions.push([0.0, 0.0, 0.0]);
        for j in para.junctions {
            w += j.width;
            st += j.stretch;
            sh += j.shrink;
            junctions.push([w, st, sh]);
        }
        Sums { atoms, junctions }
    }

    /// The line of atoms `start..=end`.
    pub fn line(&self, para: &Para<'_>, start: usize, end: usize) -> LineMetrics {
        let first = &para.atoms[start];
        let last = &para.atoms[end];
        // clreq 3.1.6: an opening mark at line start loses its blank half;
        // a closing or stop mark at line end is set half-width.
        let trim_start = first.blank_left;
        // A hanging mark is set past the end of the line altogether.
        let trim_end = if end > start && last.hang > 0.0 {
            last.hang
        } else if end > start || trim_start == 0.0 {
            last.blank_right
        } else {
            0.0
        };
        let mut shrink = self.atoms[end + 1][1] - self.atoms[start][1] + self.junctions[end][2]
            - self.junctions[start][2];
        if trim_start > 0.0 {
            shrink -= first.shrink;
        }
        if trim_end > 0.0 && end > start {
            shrink -= last.shrink;
        }
        // The space before a hanging mark does not stretch: the
        // character before it stays flush with the edge.
        let hung_stretch = if end > start && last.hang > 0.0 {
            self.junctions[end][1] - self.junctions[end - 1][1]
        } else {
            0.0
        };
        LineMetrics {
            natural: self.atoms[end + 1][0] - self.atoms[start][0] + self.junctions[end][0]
                - self.junctions[start][0]
                - trim_start
                - trim_end,
            stretch: self.junctions[end][1] - self.junctions[start][1] - hung_stretch,
            shrink: shrink.max(0.0),
            trim_start,
            trim_end,
        }
    }
}

struct Node {
    /// First atom of the next line.
    start: usize,
    demerits: f64,
    prev: usize,
    line: u32,
}

/// Chooses the line breaks of `para` for the whole paragraph.
pub fn break_lines(para: &Para<'_>, measure: &Measure) -> Vec<LineSpan> {
    if para.atoms.is_empty() {
        return Vec::new();
    }
    let sums = Sums::new(para);
    // Pass 1: normal breaks, moderate stretch. Pass 2: any stretch, breaks
    // inside Latin words. Pass 3: anything, so that every paragraph sets.
    for pass in 0..3 {
        if let Some((lines, _)) = total_fit(para, &sums, measure, pass, None) {
            return lines;
        }
    }
    // total_fit in pass 2 always finds a way; keep one atom per line if not.
    (0..para.atoms.len())
        .map(|i| LineSpan {
            start: i,
            end: i + 1,
            last: i + 1 == para.atoms.len(),
        })
        .collect()
}

/// The paragraph set in exactly `lines` lines, each of them spread or
/// compressed no more than a line may be at all (an adjustment ratio of
/// 1: a tenth of an em or so between characters), with its demerits; `None`
/// when no such setting exists. A page that would otherwise end short
/// takes one line more or one less from a paragraph on it, as a
/// compositor loosens or tightens a paragraph (拉行, 缩行) to fill a page.
pub fn break_lines_into(
    para: &Para<'_>,
    measure: &Measure,
    lines: usize,
) -> Option<(Vec<LineSpan>, f64)> {
    break_lines_counts(para, measure, &[lines]).pop().flatten()
}

/// [`break_lines_into`] for each of `counts`, from one run of the breaker:
/// it keeps the best node for each number of lines at each break, so one
/// run up to the largest count finds them all.
pub fn break_lines_counts(
    para: &Para<'_>,
    measure: &Measure,
    counts: &[usize],
) -> Vec<Option<(Vec<LineSpan>, f64)>> {
    let most = counts.iter().copied().max().unwrap_or(0);
    if para.atoms.is_empty() || most == 0 {
        return vec![None; counts.len()];
    }
    let sums = Sums::new(para);
    let Some(nodes) = fit_nodes(para, &sums, measure, 0, Some(most)) else {
        return vec![None; counts.len()];
    };
    let n = para.atoms.len();
    counts
        .iter()
        .map(|&lines| {
            let at = nodes
                .iter()
                .rposition(|node| node.start == n && node.line as usize == lines && lines > 0)?;
            let (spans, demerits) = trace(para, &nodes, at);
            // A one-character last line is never a way to fill a page.
            (spans.len() == lines && demerits < 1e7).then_some((spans, demerits))
        })
        .collect()
}

/// Knuth-Plass over the paragraph. With `count`, the best setting in
/// exactly that many lines at an adjustment ratio of 1 at most: the best
/// node is then kept for each number of lines at each break.
fn total_fit(
    para: &Para<'_>,
    sums: &Sums,
    measure: &Measure,
    pass: u8,
    count: Option<usize>,
) -> Option<(Vec<LineSpan>, f64)> {
    let nodes = fit_nodes(para, sums, measure, pass, count)?;
    let n = para.atoms.len();
    // The node that ends the paragraph (in the asked number of lines).
    let at = match count {
        None => nodes.iter().rposition(|node| node.start == n)?,
        Some(c) => nodes
            .iter()
            .rposition(|node| node.start == n && node.line as usize == c)?,
    };
    Some(trace(para, &nodes, at))
}

/// The nodes of [`total_fit`]'s run: every feasible break with its best
/// way there (for each number of lines up to `count`, with `count`).
fn fit_nodes(
    para: &Para<'_>,
    sums: &Sums,
    measure: &Measure,
    pass: u8,
    count: Option<usize>,
) -> Option<Vec<Node>> {
    let n = para.atoms.len();
    let tolerance = match (pass, count) {
        (_, Some(_)) => 1.0,
        (0, None) => 4.0,
        _ => f32::INFINITY,
    };
    let mut nodes = Vec::with_capacity(n + 1);
    nodes.push(Node {
        start: 0,
        demerits: 0.0,
        prev: usize::MAX,
        line: 0,
    });
    let mut active: Vec<usize> = vec![0];
    // The best (demerits, node) for each number of lines at one break;
    // one entry for all of them unless `count` asks for a number of lines.
    let mut best: Vec<(u32, f64, usize)> = Vec::new();
    let eps = 0.01;
    for b in 0..n {
        let is_end = b + 1 == n;
        let brk = if is_end {
            Brk::Forced
        } else {
            para.junctions[b].brk
        };
        let penalty = match (brk, pass) {
            (Brk::Forced, _) => 0.0,
            (Brk::Allowed(p), _) => p,
            (Brk::Emergency, 1 | 2) => 3000.0,
            (Brk::Never, 2) => 10000.0,
            _ => continue,
        };
        let forced = brk == Brk::Forced;
        best.clear();
        let mut k = 0;
        while k < active.len() {
            let a = active[k];
            let start = nodes[a].start;
            if start > b {
                k += 1;
                continue;
            }
            let width = measure.width
                - if start == 0 {
                    measure.first_indent
                } else {
                    0.0
                };
            let m = sums.line(para, start, b);
            let overfull = m.natural - m.shrink > width + eps;
            if overfull && start < b {
                if pass < 2 {
                    // Longer lines from this node only get longer.
                    active.swap_remove(k);
                    continue;
                }
                if m.natural - m.shrink > 2.0 * width {
                    active.swap_remove(k);
                    continue;
                }
            }
            let badness = line_badness(&m, width, forced, measure.ragged);
            if badness > 100.0 * tolerance.powi(3) && !(pass == 2 || start == b) {
                k += 1;
                continue;
            }
            let mut demerits = (10.0 + badness as f64).powi(2) + (penalty as f64).powi(2);
            if overfull {
                demerits += 1e9;
            }
            if is_end && start > 0 && characters_before_marks(para, start, b) < 2 {
                // Avoid a last line of one single character (closing and
                // stop marks do not count): pull a character down from the
                // line above.
                demerits += 1e7;
            }
            let total = nodes[a].demerits + demerits;
            let line = if count.is_some() {
                nodes[a].line + 1
            } else {
                0
            };
            if count.is_some_and(|c| line as usize > c) {
                k += 1;
                continue;
            }
            match best.iter_mut().find(|(l, _, _)| *l == line) {
                Some(entry) if total < entry.1 => *entry = (line, total, a),
                Some(_) => {}
                None => best.push((line, total, a)),
            }
            k += 1;
        }
        if best.is_empty() {
            if forced {
                return None;
            }
        } else if forced {
            active.clear();
        }
        for &(_, demerits, prev) in &best {
            nodes.push(Node {
                start: b + 1,
                demerits,
                prev,
                line: nodes[prev].line + 1,
            });
            active.push(nodes.len() - 1);
        }
        if active.is_empty() {
            return None;
        }
    }
    Some(nodes)
}

/// The lines from the start of the paragraph to node `at`, and their
/// demerits.
fn trace(para: &Para<'_>, nodes: &[Node], mut at: usize) -> (Vec<LineSpan>, f64) {
    let n = para.atoms.len();
    let demerits = nodes[at].demerits;
    let mut lines = Vec::with_capacity(nodes[at].line as usize);
    while nodes[at].prev != usize::MAX {
        let prev = nodes[at].prev;
        let end = nodes[at].start;
        let last = end == n || para.junctions[end - 1].brk == Brk::Forced;
        lines.push(LineSpan {
            start: nodes[prev].start,
            end,
            last,
        });
        at = prev;
    }
    lines.reverse();
    (lines, demerits)
}

/// The atoms of `start..=end` that are not closing or stop marks, counted
/// up to 2.
fn characters_before_marks(para: &Para<'_>, start: usize, end: usize) -> usize {
    para.atoms[start..=end]
        .iter()
        .filter(|a| !matches!(a.class, Class::Close | Class::Stop))
        .take(2)
        .count()
}

/// Badness of a line as in TeX: 100 r³ for the adjustment ratio r.
fn line_badness(m: &LineMetrics, width: f32, last: bool, ragged: bool) -> f32 {
    let short = width - m.natural;
    if ragged {
        if short < 0.0 {
            return if -short <= m.shrink + 0.01 {
                100.0 * (short / m.shrink.max(0.01)).abs().powi(3)
            } else {
                1e6
            };
        }
        // Ragged lines: prefer full lines, but a short line is no disaster.
        return if last {
            0.0
        } else {
            100.0 * (short / width).powi(2)
        };
    }
    if short >= 0.0 {
        if last {
            return 0.0;
        }
        if short < 0.01 {
            return 0.0;
        }
        if m.stretch <= 0.0 {
            return 1e6;
        }
        let r = short / m.stretch;
        100.0 * r.powi(3)
    } else {
        if m.shrink <= 0.0 {
            return if short > -0.01 { 0.0 } else { 1e6 };
        }
        let r = -short / m.shrink;
        if r > 1.0 + 1e-4 {
            1e6
        } else {
            // clreq 3.1.7: push in first, push out only when that fails;
            // compressing marks costs less than spreading a line.
            20.0 * r.powi(3)
        }
    }
}

#[cfg(test)]
mod tests {
    //! The rule table: each case sets a string in a measure of whole ems
    //! with idealised metrics (Han 1 em, Latin 0.5 em, full-width marks 1 em
    //! with a half-em blank) and checks the lines.

    use super::*;

    fn atoms_of(text: &str, em: f32) -> Vec<Atom> {
        let mut atoms = Vec::new();
        for (i, c) in text.char_indices() {
            if c.is_whitespace() || c == '\n' {
                continue;
            }
            let class = Class::of(c);
            let (width, left, right) = match class {
                Class::Latin => (0.5 * em, 0.0, 0.0),
                Class::Open => (em, 0.5 * em, 0.0),
                Class::Close | Class::Stop => (em, 0.0, 0.5 * em),
                _ => (em, 0.0, 0.0),
            };
            atoms.push(Atom {
                text: i as u32..(i + c.len_utf8()) as u32,
                glyphs: 0..0,
                width,
                em,
                class,
                blank_left: left,
                blank_right: right,
                shrink: 0.0,
                hang: 0.0,
                space: 0.25 * em,
                style: 0,
                first: c,
                last: c,
            });
        }
        atoms
    }

    /// Sets `text` in lines of `chars` em (no indent) and returns the
    /// lines' texts.
    fn set(text: &str, chars: f32) -> Vec<String> {
        let mut atoms = atoms_of(text, 10.0);
        let rules = Rules {
            cjk_latin_gap: true,
            strict: false,
            tracking: 0.0,
        };
        let junctions = make_junctions(text, &mut atoms, rules);
        let para = Para {
            text,
            atoms: &atoms,
            junctions: &junctions,
        };
        let measure = Measure {
            width: chars * 10.0,
            first_indent: 0.0,
            ragged: false,
        };
        break_lines(&para, &measure)
            .iter()
            .map(|l| {
                let a = atoms[l.start].text.start as usize;
                let b = atoms[l.end - 1].text.end as usize;
                text[a..b].to_string()
            })
            .collect()
    }

    fn assert_rules(lines: &[String]) {
        for (i, line) in lines.iter().enumerate() {
            let first = line.chars().next().unwrap();
            let last = line.chars().last().unwrap();
            if i > 0 {
                assert!(
                    !no_line_start(first),
                    "line {i} starts with {first}: {lines:?}"
                );
            }
            if i + 1 < lines.len() {
                assert!(!no_line_end(last), "line {i} ends with {last}: {lines:?}");
            }
        }
    }

    #[test]
    fn every_stop_and_closing_mark_stays_off_line_start() {
        // Ten Han characters fill a line; the mark would be the eleventh.
        // With nothing to compress on the line, a character goes down with
        // it (push-out).
        for mark in "。．，、：；！？」』”’）》〉】〗〕］｝·～々".chars() {
            let text = format!("一二三四五六七八九十{mark}甲乙丙丁");
            let lines = set(&text, 10.0);
            assert_rules(&lines);
            assert!(lines[1].starts_with('十'), "{mark}: {lines:?}");
        }
    }

    #[test]
    fn push_in_before_push_out() {
        // The first line is full; its two commas give up their blanks so
        // that the stop fits at its end.
        let lines = set("一二，三四，五六七八。甲乙丙丁戊己庚辛", 10.0);
        assert_eq!(lines[0], "一二，三四，五六七八。");
        // Also when the mark is a closing quote after a stop.
        let lines = set("他说，好，一二三四五。”甲乙丙丁戊己", 10.0);
        assert_rules(&lines);
        assert_eq!(lines[0], "他说，好，一二三四五。”");
    }

    #[test]
    fn push_out_when_nothing_compresses() {
        // No punctuation in the first line: 十 goes down with the mark.
        let lines = set("一二三四五六七八九十”甲乙丙丁戊", 10.0);
        assert_rules(&lines);
        assert_eq!(lines[0], "一二三四五六七八九");
    }

    #[test]
    fn every_opening_mark_stays_off_line_end() {
        for mark in "「『“‘（《〈【〖〔［｛".chars() {
            for at in 8..11 {
                let before: String = "一二三四五六七八九十".chars().take(at).collect();
                let text = format!("{before}{mark}甲乙丙丁戊己庚辛壬癸");
                let lines = set(&text, 10.0);
                assert_rules(&lines);
            }
        }
    }

    #[test]
    fn dash_and_ellipsis_pairs_never_split() {
        for pair in ["——", "……", "⋯⋯"] {
            for at in 7..11 {
                let before: String = "一二三四五六七八九十".chars().take(at).collect();
                let text = format!("{before}{pair}甲乙丙丁戊己庚辛壬癸");
                let lines = set(&text, 10.0);
                let split = lines
                    .iter()
                    .any(|l| l.ends_with(&pair[..pair.len() / 2]) && !l.ends_with(pair));
                assert!(!split, "{pair} at {at}: {lines:?}");
            }
        }
    }

    #[test]
    fn strict_level_keeps_dashes_off_line_start() {
        let text = "一二三四五六七八九十——甲乙丙丁";
        let mut atoms = atoms_of(text, 10.0);
        let rules = Rules {
            cjk_latin_gap: true,
            strict: true,
            tracking: 0.0,
        };
        let junctions = make_junctions(text, &mut atoms, rules);
        let dash_start = atoms.iter().position(|a| a.first == '—').unwrap();
        assert_eq!(junctions[dash_start - 1].brk, Brk::Never);
    }

    #[test]
    fn latin_and_digits_are_kept_whole_with_a_quarter_em_gap() {
        let text = "全年签约亿元以上项目67个，到位资金较上年增长12.4%，可办事项超过1200项";
        let lines = set(text, 12.0);
        assert_rules(&lines);
        for number in ["67", "12.4%", "1200"] {
            assert!(
                lines.iter().any(|l| l.contains(number)),
                "{number}: {lines:?}"
            );
        }
        let mut atoms = atoms_of("超过1200项", 10.0);
        let junctions = make_junctions(
            "超过1200项",
            &mut atoms,
            Rules {
                cjk_latin_gap: true,
                strict: false,
                tracking: 0.0,
            },
        );
        assert_eq!(junctions[1].width, 2.5, "Han-digit gap is 1/4 em");
        assert_eq!(junctions[2].width, 0.0, "no gap inside a number");
        assert_eq!(junctions[2].stretch, 0.0, "no stretch inside a number");
        assert_eq!(junctions[5].width, 2.5);
    }

    #[test]
    fn no_gap_next_to_cjk_punctuation() {
        let text = "增长6.1%，交出";
        let mut atoms = atoms_of(text, 10.0);
        let junctions = make_junctions(
            text,
            &mut atoms,
            Rules {
                cjk_latin_gap: true,
                strict: false,
                tracking: 0.0,
            },
        );
        let percent = atoms.iter().position(|a| a.first == '%').unwrap();
        assert_eq!(junctions[percent].width, 0.0);
    }

    #[test]
    fn only_letters_and_digits_get_the_gap() {
        let rules = Rules {
            cjk_latin_gap: true,
            strict: false,
            tracking: 0.0,
        };
        for (text, gaps) in [
            ("基地/刘", 0),
            ("基地[注]刘", 0),
            ("基地`x`刘", 0),
            ("基地•刘", 0),
            ("共有1000余家", 2),
            ("使用PDF格式", 2),
        ] {
            let mut atoms = atoms_of(text, 10.0);
            let junctions = make_junctions(text, &mut atoms, rules);
            let n = junctions.iter().filter(|j| j.width > 0.0).count();
            assert_eq!(n, gaps, "{text}");
        }
    }

    #[test]
    fn a_number_and_its_unit_are_never_split() {
        let text = "提交意见建议27条";
        let mut atoms = atoms_of(text, 10.0);
        let rules = Rules {
            cjk_latin_gap: true,
            strict: false,
            tracking: 0.0,
        };
        let junctions = make_junctions(text, &mut atoms, rules);
        let seven = atoms.iter().position(|a| a.first == '7').unwrap();
        assert_eq!(junctions[seven].brk, Brk::Never);
        for chars in 6..10 {
            let lines = set(
                "全年就环保方面提交针对性意见建议27条等多党合作",
                chars as f32,
            );
            assert!(!lines.iter().any(|l| l.starts_with('条')), "{lines:?}");
        }
    }

    #[test]
    fn a_long_latin_word_is_broken_only_when_it_cannot_fit() {
        let text = "网址是https://www.example.org/qingchuan/reports/2025栏目";
        let lines = set(text, 10.0);
        assert!(lines.len() >= 3, "{lines:?}");
        for line in &lines {
            let width: f32 = line
                .chars()
                .map(|c| {
                    if Class::of(c) == Class::Latin {
                        0.5
                    } else {
                        1.0
                    }
                })
                .sum();
            assert!(width <= 10.5, "{line} is overfull: {lines:?}");
        }
        // A Latin word that fits is never broken.
        let lines = set("我们使用Typesetting系统排版中文书籍和文章", 10.0);
        assert!(lines.iter().any(|l| l.contains("Typesetting")), "{lines:?}");
    }

    #[test]
    fn a_single_character_last_line_is_avoided() {
        // 21 characters in lines of 10: greedy leaves one on the last line.
        let text = "一二三四五六七八九十甲乙丙丁戊己庚辛壬癸子";
        let lines = set(text, 10.0);
        assert!(lines.last().unwrap().chars().count() >= 2, "{lines:?}");
    }

    #[test]
    fn a_last_line_of_one_character_and_its_stop_is_avoided() {
        // 21 characters and a full stop in lines of 10.
        let text = "一二三四五六七八九十甲乙丙丁戊己庚辛壬癸子。";
        let lines = set(text, 10.0);
        let last = lines.last().unwrap();
        assert!(
            last.chars().filter(|&c| c != '。').count() >= 2,
            "{lines:?}"
        );
        assert_rules(&lines);
    }

    #[test]
    fn adjacent_marks_take_one_and_a_half_em() {
        let text = "他说：“好。”然后";
        let mut atoms = atoms_of(text, 10.0);
        let junctions = make_junctions(
            text,
            &mut atoms,
            Rules {
                cjk_latin_gap: true,
                strict: false,
                tracking: 0.0,
            },
        );
        let colon = atoms.iter().position(|a| a.first == '：').unwrap();
        assert_eq!(atoms[colon].width + junctions[colon].width, 5.0);
        let stop = atoms.iter().position(|a| a.first == '。').unwrap();
        assert_eq!(junctions[stop].width, -5.0);
    }

    #[test]
    fn a_deliberate_space_is_a_gap_and_a_break_opportunity() {
        let text = "乘冬奥之风 讲益阳故事";
        let mut atoms = atoms_of(text, 10.0);
        let junctions = make_junctions(
            text,
            &mut atoms,
            Rules {
                cjk_latin_gap: true,
                strict: false,
                tracking: 0.0,
            },
        );
        assert!(junctions[4].space);
        assert_eq!(junctions[4].width, 5.0);
        assert!(matches!(junctions[4].brk, Brk::Allowed(_)));
    }

    #[test]
    fn lines_are_filled_exactly() {
        let text = "一二三四五六七八九十甲乙丙丁戊己庚辛壬癸子丑寅卯";
        let lines = set(text, 10.0);
        assert_eq!(lines[0].chars().count(), 10);
        assert_eq!(lines[1].chars().count(), 10);
    }
}
