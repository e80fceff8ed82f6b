#!/usr/bin/env bash
# Runs one sweep and appends its JSON summary to a log, then trains the complaint routing model
# again when dispatchers labelled something new: for cron or a systemd timer on a machine where
# `jiandu serve` is not running (or runs with --no-nightly-sweep).
#
#   JIANDU_HOME   working directory holding jiandu.toml (default: the current directory)
#   JIANDU_BIN    the jiandu binary (default: jiandu on PATH)
#   JIANDU_LOG_FILE  where summaries go (default: $JIANDU_HOME/sweeps.log)
#   JIANDU_REPORT_TO addresses (space-separated) the sweep report and coverage warnings are
#                    queued for; `jiandu serve` (the outbox's sender) delivers them
#
# A sweep killed half-way (reboot, OOM) is resumed by the next run; nothing is duplicated.
# Exit status: jiandu's (0 done, 1 failed, 2 bad configuration).
set -euo pipefail
cd "${JIANDU_HOME:-.}"
bin="${JIANDU_BIN:-jiandu}"
log="${JIANDU_LOG_FILE:-sweeps.log}"
# One sweep at a time on this machine: a run that finds the lock taken leaves quietly.
exec 9>"${log}.lock"
if ! flock -n 9; then
    echo "$(date -Iseconds) another sweep is still running; skipped" >>"$log"
    exit 0
fi
report_to=()
for address in ${JIANDU_REPORT_TO:-}; do
    report_to+=(--report-to "$address")
done
if summary="$("$bin" sweep --format json "${report_to[@]}" 2>>"$log")"; then
    echo "$(date -Iseconds) $summary" >>"$log"
else
    status=$?
    echo "$(date -Iseconds) sweep failed with status $status" >>"$log"
    exit "$status"
fi
# What dispatchers taught routing since last night (nothing happens when nothing changed).
if learned="$("$bin" complaints route-model train --if-changed --actor nightly 2>>"$log")"; then
    echo "$(date -Iseconds) $learned" >>"$log"
else
    echo "$(date -Iseconds) routing model training failed with status $?" >>"$log"
fi
