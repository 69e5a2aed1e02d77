# Stage timing for .ci/run (sourced): a line `echo "== NAME"` (the header
# every block of .ci/run already prints) starts a stage and ends the one
# before, so a new block is timed without touching this file; `stage NAME`
# does the same explicitly. Each stage's time is printed as it ends, and at
# exit a table of every stage and the total. The run fails (exit 1) when the
# total passes the budget: SYNACK_CI_BUDGET_MIN minutes (default 45, issue
# #18). Scripts that .ci/run calls (bash .ci/link) are other processes:
# their own `echo` is the shell's.
#
#   . .ci/stages.sh
#   echo "== the README's test command"
#   cargo test --workspace
_stage_names=() _stage_secs=() _stage_now="" _stage_t0=$(date +%s) _stage_start=$(date +%s)
_stage_budget_min="${SYNACK_CI_BUDGET_MIN:-45}"

_stage_close() {
    [ -n "$_stage_now" ] || return 0
    local t
    t=$(( $(date +%s) - _stage_start ))
    _stage_names+=("$_stage_now") _stage_secs+=("$t")
    printf '== %s: %dm%02ds\n' "$_stage_now" $((t / 60)) $((t % 60))
    _stage_now=""
}

stage() {
    _stage_close
    _stage_now="$1" _stage_start=$(date +%s)
    builtin echo "== $1"
}

# `echo "== NAME"` (one argument, as .ci/run writes its headers) is `stage`.
echo() {
    if [ "$#" = 1 ] && [ "${1#== }" != "$1" ]; then
        stage "${1#== }"
    else
        builtin echo "$@"
    fi
}

_stage_report() {
    local rc=$? i total
    _stage_close
    total=$(( $(date +%s) - _stage_t0 ))
    builtin echo
    builtin echo "== stage times (budget ${_stage_budget_min} min)"
    for i in "${!_stage_names[@]}"; do
        printf '%6dm%02ds  %s\n' $((_stage_secs[i] / 60)) $((_stage_secs[i] % 60)) "${_stage_names[i]}"
    done
    printf '%6dm%02ds  total%s\n' $((total / 60)) $((total % 60)) "$([ "$rc" = 0 ] || echo " (failed: exit $rc)")"
    if [ "$rc" = 0 ] && [ "$total" -gt $((_stage_budget_min * 60)) ]; then
        builtin echo "== over budget: ${total} s > ${_stage_budget_min} min: shard or sample the slowest stage (see README, \"CI budget\")" >&2
        exit 1
    fi
    exit "$rc"
}
trap _stage_report EXIT
