#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build: every cargo-fuzz target of synack,
# optimised, with the sanitizer the infrastructure selects ($SANITIZER via
# cargo-fuzz's defaults in the base-builder-rust image), copied to $OUT with
# its seed corpus (generated from cases/ by `synack seeds`).
cd "$SRC/synack"

# Seed corpora from the case suite (plain cargo: no sanitizer flags here).
( unset RUSTFLAGS; cargo run --release -p synack -- seeds --out fuzz/corpus ) || \
    echo "warning: could not generate seed corpora; targets start empty" >&2

cd fuzz
cargo fuzz build -O --debug-assertions
TARGETS=$(cargo fuzz list)
for t in $TARGETS; do
    cp "target/x86_64-unknown-linux-gnu/release/$t" "$OUT/"
    if [ -d "corpus/$t" ]; then
        (cd "corpus/$t" && zip -q -r "$OUT/${t}_seed_corpus.zip" .)
    fi
done
