#!/bin/sh
# Creates the namespace and Tessera's search attributes on a running Temporal server. Idempotent.
set -eu
: "${TEMPORAL_ADDRESS:?}" "${TEMPORAL_NAMESPACE:=default}" "${TEMPORAL_RETENTION:=168h}"

temporal operator cluster health --address "$TEMPORAL_ADDRESS"
temporal operator namespace describe --address "$TEMPORAL_ADDRESS" -n "$TEMPORAL_NAMESPACE" >/dev/null 2>&1 ||
  temporal operator namespace create --address "$TEMPORAL_ADDRESS" -n "$TEMPORAL_NAMESPACE" \
    --retention "$TEMPORAL_RETENTION"

existing="$(temporal operator search-attribute list --address "$TEMPORAL_ADDRESS" -n "$TEMPORAL_NAMESPACE")"
for pair in TesseraScene=Keyword TesseraSensor=Keyword TesseraStage=Keyword \
            TesseraTilesDone=Int TesseraBloomFraction=Double \
            TesseraBackfill=Keyword TesseraScenesDone=Int TesseraScenesFailed=Int \
            TesseraSchedule=Keyword TesseraSceneSensor=Keyword TesseraSensorCursor=Datetime; do
  name=${pair%%=*}
  type=${pair#*=}
  if ! printf '%s\n' "$existing" | grep -q "^ *$name "; then
    temporal operator search-attribute create --address "$TEMPORAL_ADDRESS" -n "$TEMPORAL_NAMESPACE" \
      --name "$name" --type "$type"
  fi
done
echo "namespace $TEMPORAL_NAMESPACE ready"
