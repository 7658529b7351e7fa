#!/usr/bin/env bash
# One member of an ensemble, as the training image runs it (Dockerfile.train): train one experiment
# with this member's seed, then push its bundle to the DVC remote and keep the pointer files.
#
#   train-member.sh [EXPERIMENT=baseline] [key=value ...]     (key=value: any training override)
#
# Environment:
#   JOB_COMPLETION_INDEX  member index (Kubernetes sets it in an Indexed Job); default 0
#   BASE_SEED             seed of member 0 (42); member i trains with BASE_SEED + i, every member
#                         on the validation split of BASE_SEED (data.splitSeed), as merging requires
#   EXPERIMENT            configs/exp/NAME.yaml to run (baseline); an EXPERIMENT=NAME argument wins
#   FOLDS                 K-fold members: K (2 or more, one member per fold, JOB_COMPLETION_INDEX < K);
#                         member i trains without fold i of the training side (data.folds), and the
#                         merge of the K bundles tunes the thresholds on their out-of-fold predictions
#   APP_DIR               the built package (/app in the image: dist/, configs/, .dvc/config)
#   WORK_DIR              writable folder (/work): member-<i>/{runs,dvc,cache} (one per member: no shared writes)
#   DVC_REMOTE_URL        where the bundle goes (s3://..., https://..., or a folder); unset: the
#                         image's .dvc/config remote, i.e. <WORK_DIR>/dvc-remote
#   CLEARML_API_HOST, CLEARML_API_ACCESS_KEY, CLEARML_API_SECRET_KEY   log the run to ClearML
# Leaves WORK_DIR/member-<i>/dvc/models/{model.onnx,model.json,golden.json}.dvc: the member's
# pointers, which the merge step reads (see deploy/k8s/training/README.md).
set -euo pipefail

index="${JOB_COMPLETION_INDEX:-0}"
[[ "$index" =~ ^[0-9]+$ ]] || { echo "train-member: JOB_COMPLETION_INDEX must be a number, got '$index'" >&2; exit 2; }
seed=$(( ${BASE_SEED:-42} + index ))
folds=()
if [[ -n "${FOLDS:-}" ]]; then
  [[ "$FOLDS" =~ ^[0-9]+$ ]] && (( FOLDS >= 2 && index < FOLDS )) \
    || { echo "train-member: FOLDS must be a number of folds >= 2 above JOB_COMPLETION_INDEX ($index), got '$FOLDS'" >&2; exit 2; }
  folds=("data.folds.count=$FOLDS" "data.folds.index=$index")
fi
experiment="${EXPERIMENT:-baseline}"
overrides=()
for arg in "$@"; do
  case "$arg" in
    EXPERIMENT=*) experiment="${arg#EXPERIMENT=}" ;;
    *) overrides+=("$arg") ;;
  esac
done
app="${APP_DIR:-/app}"
work="${WORK_DIR:-/work}"
member="$work/member-$index"
mkdir -p "$member/runs" "$member/dvc/.dvc" "$member/cache"

echo "train-member: member $index, exp=$experiment seed=$seed, runs in $member/runs"
# ++: one validation split for every member (merging requires it), whatever the experiment sets.
node "$app/dist/cli/train.js" "exp=$experiment" "seed=$seed" "++data.splitSeed=${BASE_SEED:-42}" "experiment=$experiment-member-$index" \
  "runs.dir=$member/runs" "data.cacheDir=$member/cache/chips" "model.backbone.cacheDir=$member/cache/backbones" \
  "export.publishDir=" ${folds[@]+"${folds[@]}"} ${overrides[@]+"${overrides[@]}"}

bundle="$(ls -d "$member"/runs/*/bundle | tail -n 1)"
# The member's own DVC project: the image's .dvc/config, pointers written under $member/dvc/models.
cp "$app/.dvc/config" "$member/dvc/.dvc/config"
cd "$member/dvc"
APP="$app" BUNDLE="$bundle" node --input-type=module -e "
  const { modelPush } = await import(process.env.APP + '/dist/dvc/cli.js');
  const pointers = await modelPush(process.cwd(), ['from=' + process.env.BUNDLE], (line) => console.log(line));
  console.log('pointers: ' + pointers.join(' '));"
echo "train-member: member $index done: bundle $bundle, pointers in $member/dvc/models"
