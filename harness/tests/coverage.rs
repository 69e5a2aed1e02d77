//! README.md's coverage table is `synack list --coverage`'s output: it is
//! generated from the cases' `covers` and the reviewed snapshots, so it
//! cannot go stale.

use std::path::PathBuf;

#[test]
fn the_readme_coverage_table_is_the_generated_one() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let fresh =
        synack::report::coverage::coverage_markdown(&root.join("cases"), &root.join("reports"))
            .expect("coverage table");
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let begin = "<!-- coverage:begin (generated: synack list --coverage) -->\n";
    let end = "<!-- coverage:end -->";
    let start = readme
        .find(begin)
        .expect("README has the coverage:begin marker")
        + begin.len();
    let stop = readme[start..]
        .find(end)
        .expect("README has the coverage:end marker")
        + start;
    assert!(
        readme[start..stop] == fresh,
        "README.md's coverage table is out of date: replace it by the output of \
         `cargo run -p synack -- list --coverage`\n--- README\n{}\n--- fresh\n{fresh}",
        &readme[start..stop]
    );
}
