use formcheck::analysis::Analyzer;
use formcheck::exercise;
use formcheck::judge::Thresholds;
use formcheck::landmarks::read_jsonl;
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let ex = std::env::args().nth(2).unwrap_or("squat".into());
    let file = read_jsonl(std::path::Path::new(&path)).unwrap();
    let mut a = Analyzer::new(exercise::find(&ex).unwrap(), None, Thresholds::default());
    for f in &file.frames {
        let u = a.push(f);
        println!(
            "{} {:.2} hip {:?} exc {:?} {:?} fppa {:?} {:?} kfo {:?} {:?} rep {:?} cue {:?}",
            f.index,
            f.time_s,
            u.measures
                .hip_height
                .get()
                .map(|v| (v * 1000.0).round() / 1000.0),
            u.excursion.map(|v| (v * 1000.0).round() / 1000.0),
            u.phase,
            u.measures.left.fppa_deg,
            u.measures.right.fppa_deg.get(),
            u.measures.left.knee_foot_offset.get(),
            u.measures.right.knee_foot_offset.get(),
            u.completed_rep
                .map(|r| (r.start.time_s, r.bottom.time_s, r.end.time_s)),
            u.cue.map(|c| c.text)
        );
    }
}
