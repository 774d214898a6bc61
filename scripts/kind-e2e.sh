#!/usr/bin/env bash
# End-to-end run of an iter8ts quickstart on a local kind cluster: builds the controller image,
# creates the cluster, installs the CRDs and the controller from apps/controller/deploy with
# kustomize, installs the traffic stack, applies a sample from samples/<stack>, waits for the
# experiment with `iter8ctl assert -c completed,winnerFound`, checks that the winner was promoted,
# prints `iter8ctl describe`, and cleans up. See docs/kind-e2e.md.
#
# Usage: scripts/kind-e2e.sh [--stack istio|kfserving|knative|seldon|seldon-single]
#                            [--mode minimal|full] [--cluster NAME] [--reuse] [--keep]
#                            [--timeout 15m] [--image REPO:TAG] [--skip-build]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STACK=istio
MODE=minimal
CLUSTER=iter8ts-e2e
REUSE=false
KEEP=false
TIMEOUT=15m
IMAGE=iter8ts/controller:e2e
SKIP_BUILD=false

# Versions installed by --mode full. Change them here, in one place.
KNATIVE_VERSION=v1.14.1
KOURIER_VERSION=v1.14.0
SELDON_CHART_VERSION=1.17.1
CERT_MANAGER_VERSION=v1.3.1
KFSERVING_VERSION=v0.6.1
KFSERVING_KNATIVE_VERSION=v0.22.3
KFSERVING_NODE_IMAGE=kindest/node:v1.20.15
BUSYBOX_IMAGE=busybox:1.36.1

EXPERIMENT=quickstart-exp
EXPERIMENT_NAMESPACE=default
PROMOTE_BASE=http://iter8ts-samples.iter8-system.svc.cluster.local:8080
CREATED_CLUSTER=false
SUCCEEDED=false

log() { printf '\n==> %s\n' "$*" >&2; }
die() { printf 'kind-e2e: %s\n' "$*" >&2; exit 1; }

usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
}

while [ $# -gt 0 ]; do
  case "$1" in
    --stack) STACK="${2:?--stack needs a value}"; shift 2 ;;
    --mode) MODE="${2:?--mode needs a value}"; shift 2 ;;
    --cluster) CLUSTER="${2:?--cluster needs a value}"; shift 2 ;;
    --reuse) REUSE=true; shift ;;
    --keep) KEEP=true; shift ;;
    --timeout) TIMEOUT="${2:?--timeout needs a value}"; shift 2 ;;
    --image) IMAGE="${2:?--image needs a value}"; shift 2 ;;
    --skip-build) SKIP_BUILD=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done

case "$STACK" in
  istio | kfserving | knative | seldon) OVERLAY="$STACK" ;;
  seldon-single) OVERLAY=seldon ;;
  *) die "--stack must be istio, kfserving, knative, seldon or seldon-single (got $STACK)" ;;
esac
case "$MODE" in minimal | full) ;; *) die "--mode must be minimal or full (got $MODE)" ;; esac
[ "${IMAGE##*:}" != latest ] || die "--image must not use the tag latest: kind-loaded images are only used when the tag is not latest"

SAMPLE="$ROOT/samples/$STACK"
ITER8CTL=(node "$ROOT/apps/cli/dist/iter8ctl.js")

need() {
  command -v "$1" >/dev/null 2>&1 || die "$1 is required on PATH ($2)"
}

# Mock levels for the sample's Metrics, so that the experiment needs no metrics backend and the
# candidate wins: `<namespace>/<metric> <baseline level> <candidate level>`. They are the levels
# mockQuickstartMetrics of packages/e2e gives for "the candidate wins"; a test there keeps the two
# equal.
versions() {
  case "$1" in
    istio) echo "productpage-v1 productpage-v2" ;;
    kfserving) echo "flowers-v1 flowers-v2" ;;
    knative) echo "sample-app-v1 sample-app-v2" ;;
    seldon | seldon-single) echo "iris-v1 iris-v2" ;;
  esac
}

mock_levels() {
  case "$1" in
    istio)
      cat <<'LEVELS'
iter8-istio/user-engagement 1 100
iter8-istio/error-count 8 8
iter8-istio/error-rate 0.0025 0.0025
iter8-istio/le500ms-latency-percentile 1 1
iter8-istio/mean-latency 25 25
iter8-istio/request-count 8 8
LEVELS
      ;;
    kfserving)
      cat <<'LEVELS'
iter8-kfserving/user-engagement 1 100
iter8-kfserving/95th-percentile-tail-latency 1250 1250
iter8-kfserving/error-count 8 8
iter8-kfserving/error-rate 0.0025 0.0025
iter8-kfserving/mean-latency 500 500
iter8-kfserving/request-count 8 8
LEVELS
      ;;
    knative)
      cat <<'LEVELS'
iter8-knative/user-engagement 1 100
iter8-knative/95th-percentile-tail-latency 25 25
iter8-knative/error-count 8 8
iter8-knative/error-rate 0.0025 0.0025
iter8-knative/mean-latency 12.5 12.5
iter8-knative/request-count 8 8
LEVELS
      ;;
    seldon | seldon-single)
      cat <<'LEVELS'
iter8-seldon/95th-percentile-tail-latency 1250 1250
iter8-seldon/error-count 8 8
iter8-seldon/error-rate 0.0025 0.0025
iter8-seldon/mean-latency 500 500
iter8-seldon/request-count 8 8
iter8-seldon/user-engagement 1 100
LEVELS
      ;;
  esac
}

# A CustomResourceDefinition that accepts any object of the kind: enough for the controller to
# read and patch weights and for action Jobs to apply promotion manifests, with no data plane.
crd() {
  local group=$1 kind=$2 plural=$3 storage=true version
  shift 3
  cat <<EOF
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ${plural}.${group}
spec:
  group: ${group}
  scope: Namespaced
  names:
    kind: ${kind}
    plural: ${plural}
    singular: $(printf '%s' "$kind" | tr '[:upper:]' '[:lower:]')
  versions:
EOF
  for version in "$@"; do
    cat <<EOF
  - name: ${version}
    served: true
    storage: ${storage}
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
EOF
    storage=false
  done
}

istio_crds() {
  crd networking.istio.io VirtualService virtualservices v1beta1 v1alpha3
  crd networking.istio.io Gateway gateways v1beta1 v1alpha3
  crd networking.istio.io DestinationRule destinationrules v1beta1 v1alpha3
}

minimal_crds() {
  case "$STACK" in
    istio) istio_crds ;;
    kfserving) istio_crds; crd serving.kubeflow.org InferenceService inferenceservices v1beta1 ;;
    knative) crd serving.knative.dev Service services v1 ;;
    seldon | seldon-single) istio_crds; crd machinelearning.seldon.io SeldonDeployment seldondeployments v1 ;;
  esac
}

wait_deployments() {
  kubectl -n "$1" wait --for=condition=Available deployment --all --timeout=10m
}

install_istio() {
  need istioctl "https://istio.io/latest/docs/setup/getting-started/#download"
  istioctl install --set profile=demo -y
}

install_knative_serving() {
  kubectl apply -f "https://github.com/knative/serving/releases/download/knative-${KNATIVE_VERSION}/serving-crds.yaml"
  wait_established crd/services.serving.knative.dev
  kubectl apply -f "https://github.com/knative/serving/releases/download/knative-${KNATIVE_VERSION}/serving-core.yaml"
  kubectl apply -f "https://github.com/knative/net-kourier/releases/download/knative-${KOURIER_VERSION}/kourier.yaml"
  kubectl -n knative-serving patch configmap/config-network --type merge \
    -p '{"data":{"ingress-class":"kourier.ingress.networking.knative.dev"}}'
  wait_deployments knative-serving
}

install_kfserving() {
  install_istio
  kubectl apply -f "https://github.com/knative/serving/releases/download/${KFSERVING_KNATIVE_VERSION}/serving-crds.yaml"
  kubectl apply -f "https://github.com/knative/serving/releases/download/${KFSERVING_KNATIVE_VERSION}/serving-core.yaml"
  kubectl apply -f "https://github.com/knative/net-istio/releases/download/${KFSERVING_KNATIVE_VERSION}/release.yaml"
  wait_deployments knative-serving
  kubectl apply -f "https://github.com/jetstack/cert-manager/releases/download/${CERT_MANAGER_VERSION}/cert-manager.yaml"
  wait_deployments cert-manager
  kubectl apply -f "https://github.com/kubeflow/kfserving/releases/download/${KFSERVING_VERSION}/kfserving.yaml"
  kubectl -n kfserving-system wait --for=condition=Ready pod --all --timeout=10m
}

install_seldon() {
  need helm "https://helm.sh/docs/intro/install/"
  install_istio
  kubectl apply -f - <<'EOF'
apiVersion: networking.istio.io/v1beta1
kind: Gateway
metadata:
  name: seldon-gateway
  namespace: istio-system
spec:
  selector:
    istio: ingressgateway
  servers:
  - port:
      number: 80
      name: http
      protocol: HTTP
    hosts:
    - "*"
EOF
  helm upgrade --install seldon-core seldon-core-operator --repo https://storage.googleapis.com/seldon-charts \
    --version "$SELDON_CHART_VERSION" --namespace seldon-system --create-namespace \
    --set istio.enabled=true --set istio.gateway=istio-system/seldon-gateway --wait --timeout 10m
}

install_stack() {
  if [ "$MODE" = minimal ]; then
    log "installing the CustomResourceDefinitions of the $STACK stack (no data plane)"
    minimal_crds | kubectl apply -f -
    wait_established crd --all
    return
  fi
  log "installing the $STACK stack"
  case "$STACK" in
    istio) install_istio ;;
    knative) install_knative_serving ;;
    kfserving) install_kfserving ;;
    seldon | seldon-single) install_seldon ;;
  esac
}

build() {
  if [ "$SKIP_BUILD" = true ]; then
    [ -f "$ROOT/apps/cli/dist/iter8ctl.js" ] || die "--skip-build needs a built iter8ctl (apps/cli/dist/iter8ctl.js)"
    return
  fi
  log "building iter8ctl and the controller image $IMAGE"
  (cd "$ROOT" && pnpm install --frozen-lockfile && pnpm turbo run build --filter=@iter8ts/cli...)
  docker build -f "$ROOT/apps/controller/Dockerfile" -t "$IMAGE" "$ROOT"
}

create_cluster() {
  if kind get clusters 2>/dev/null | grep -qx "$CLUSTER"; then
    [ "$REUSE" = true ] || die "a kind cluster named $CLUSTER exists; pass --reuse to use it or --cluster to pick another name"
    log "reusing kind cluster $CLUSTER"
  else
    local node_image=()
    if [ "$MODE" = full ] && [ "$STACK" = kfserving ]; then node_image=(--image "$KFSERVING_NODE_IMAGE"); fi
    log "creating kind cluster $CLUSTER"
    kind create cluster --name "$CLUSTER" --wait 5m ${node_image[@]+"${node_image[@]}"}
    CREATED_CLUSTER=true
  fi
  kubectl config use-context "kind-$CLUSTER" >/dev/null
  kind load docker-image "$IMAGE" --name "$CLUSTER"
}

# kubectl wait --for=condition=Established on CRDs that were just created can fail at once with
# `.status.conditions accessor error: <nil>`: the API server has not set their conditions yet.
# Wait that out (only that error, and for at most 2 minutes); any other failure stops the script.
wait_established() {
  local deadline=$((SECONDS + 120)) out
  until out="$(kubectl wait --for=condition=Established "$@" --timeout=2m 2>&1)"; do
    if [[ "$out" != *"accessor error"* ]] || ((SECONDS >= deadline)); then
      printf '%s\n' "$out" >&2
      return 1
    fi
    sleep 1
  done
  printf '%s\n' "$out"
}

# The CRDs first, then (once the API server serves them) the overlay: it holds the builtin Metrics,
# which one apply of everything would send before the Metric kind exists (`no matches for kind
# "Metric"`). Split from install_controller so that a test runs it on a real kube-apiserver.
install_manifests() {
  log "installing the iter8ts CRDs (apps/controller/deploy/base/crds)"
  kubectl apply -f "$ROOT/apps/controller/deploy/base/crds"
  wait_established -f "$ROOT/apps/controller/deploy/base/crds"
  log "installing the controller (apps/controller/deploy/overlays/$OVERLAY)"
  local manifests
  if command -v kustomize >/dev/null 2>&1; then
    manifests="$(kustomize build "$ROOT/apps/controller/deploy/overlays/$OVERLAY")"
  else
    manifests="$(kubectl kustomize "$ROOT/apps/controller/deploy/overlays/$OVERLAY")"
  fi
  # The controller and its action Jobs run the image loaded into the cluster.
  printf '%s\n' "$manifests" | sed "s#iter8ts/controller:latest#${IMAGE}#g" | kubectl apply -f -
}

install_controller() {
  install_manifests
  kubectl -n iter8-system rollout status deployment/iter8-controller --timeout=5m
}

serve_promotion_manifests() {
  log "serving samples/$STACK/promote at $PROMOTE_BASE for the finish action"
  kubectl -n iter8-system create configmap iter8ts-promote --from-file="$SAMPLE/promote/" --dry-run=client -o yaml | kubectl apply -f -
  kubectl apply -f - <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: iter8ts-samples
  namespace: iter8-system
  labels:
    app: iter8ts-samples
spec:
  replicas: 1
  selector:
    matchLabels:
      app: iter8ts-samples
  template:
    metadata:
      labels:
        app: iter8ts-samples
    spec:
      containers:
      - name: httpd
        image: ${BUSYBOX_IMAGE}
        command: ["httpd", "-f", "-v", "-p", "8080", "-h", "/www"]
        ports:
        - containerPort: 8080
        volumeMounts:
        - name: promote
          mountPath: /www
      volumes:
      - name: promote
        configMap:
          name: iter8ts-promote
---
apiVersion: v1
kind: Service
metadata:
  name: iter8ts-samples
  namespace: iter8-system
spec:
  selector:
    app: iter8ts-samples
  ports:
  - port: 8080
    targetPort: 8080
EOF
  kubectl -n iter8-system rollout status deployment/iter8ts-samples --timeout=5m
}

apply_sample() {
  log "applying samples/$STACK"
  case "$STACK" in
    istio)
      kubectl apply -f "$SAMPLE/bookinfo-app.yaml" -f "$SAMPLE/productpage-v2.yaml" -f "$SAMPLE/bookinfo-routing.yaml"
      if [ "$MODE" = full ]; then wait_deployments bookinfo-iter8; fi
      ;;
    kfserving)
      kubectl apply -f "$SAMPLE/baseline.yaml" -f "$SAMPLE/candidate.yaml" -f "$SAMPLE/routing-rule.yaml"
      if [ "$MODE" = full ]; then
        kubectl -n ns-baseline wait --for=condition=Ready inferenceservice/flowers --timeout=10m
        kubectl -n ns-candidate wait --for=condition=Ready inferenceservice/flowers --timeout=10m
      fi
      ;;
    knative)
      # The candidate's traffic block names revision sample-app-v1, which must exist first.
      kubectl apply -f "$SAMPLE/baseline.yaml"
      if [ "$MODE" = full ]; then kubectl wait --for=condition=Ready services.serving.knative.dev/sample-app --timeout=10m; fi
      kubectl apply -f "$SAMPLE/experimentalservice.yaml"
      if [ "$MODE" = full ]; then kubectl wait --for=condition=Ready services.serving.knative.dev/sample-app --timeout=10m; fi
      ;;
    seldon)
      kubectl apply -f "$SAMPLE/baseline.yaml" -f "$SAMPLE/candidate.yaml" -f "$SAMPLE/routing-rule.yaml"
      if [ "$MODE" = full ]; then
        kubectl -n ns-baseline wait --for=condition=Ready pod --all --timeout=10m
        kubectl -n ns-candidate wait --for=condition=Ready pod --all --timeout=10m
      fi
      ;;
    seldon-single)
      kubectl apply -f "$SAMPLE/abtest.yaml"
      if [ "$MODE" = full ]; then kubectl -n ns-production wait --for=condition=Ready pod --all --timeout=10m; fi
      ;;
  esac
}

apply_metrics() {
  log "applying the Metrics with mock levels (the candidate wins; no metrics backend needed)"
  kubectl apply -f "$SAMPLE/metrics.yaml"
  local baseline candidate ref base cand
  read -r baseline candidate <<<"$(versions "$STACK")"
  # The table comes in on descriptor 3, so that nothing in the loop can read it from stdin.
  while read -r ref base cand <&3; do
    kubectl -n "${ref%%/*}" patch metrics.iter8.tools "${ref#*/}" --type merge \
      -p "{\"spec\":{\"mock\":[{\"name\":\"$baseline\",\"level\":\"$base\"},{\"name\":\"$candidate\",\"level\":\"$cand\"}]}}"
  done 3< <(mock_levels "$STACK")
}

apply_experiment() {
  log "applying the experiment, its promotion pointed at $PROMOTE_BASE"
  sed -E "s#https?://[^ \"']*/([^/\"']*\\.ya?ml)#${PROMOTE_BASE}/\\1#g" "$SAMPLE/experiment.yaml" \
    | kubectl apply -n "$EXPERIMENT_NAMESPACE" -f -
}

# Prints what a stack's routing and model objects say about the version that serves all traffic.
promoted_check() {
  case "$STACK" in
    istio) kubectl -n bookinfo-iter8 get virtualservices.networking.istio.io bookinfo -o 'jsonpath={.spec.http[0].route[*].destination.subset}' ;;
    kfserving) kubectl -n ns-baseline get inferenceservices.serving.kubeflow.org flowers -o 'jsonpath={.spec.predictor.tensorflow.storageUri}' ;;
    knative) kubectl get services.serving.knative.dev sample-app -o 'jsonpath={.spec.traffic[*].revisionName}' ;;
    seldon) kubectl -n ns-baseline get seldondeployments.machinelearning.seldon.io iris -o 'jsonpath={.spec.predictors[*].graph.modelUri}' ;;
    seldon-single) kubectl -n ns-production get seldondeployments.machinelearning.seldon.io iris -o 'jsonpath={.spec.predictors[*].graph.modelUri}' ;;
  esac
}

expected_promotion() {
  case "$STACK" in
    istio) echo "productpage-v2" ;;
    kfserving) echo "gs://kfserving-samples/models/tensorflow/flowers-2" ;;
    knative) echo "sample-app-v2" ;;
    seldon | seldon-single) echo "gs://seldon-models/xgboost/iris" ;;
  esac
}

diagnostics() {
  log "diagnostics"
  kubectl get experiments.iter8.tools -A -o wide || true
  kubectl -n "$EXPERIMENT_NAMESPACE" get experiments.iter8.tools "$EXPERIMENT" -o yaml || true
  kubectl -n iter8-system get deployments,pods || true
  # Action Jobs run in the experiment's namespace, as its iter8-action.
  kubectl -n "$EXPERIMENT_NAMESPACE" get jobs,pods -l iter8/experimentName="$EXPERIMENT" || true
  kubectl -n "$EXPERIMENT_NAMESPACE" logs -l iter8/experimentName="$EXPERIMENT" --tail=200 || true
  kubectl -n iter8-system logs deployment/iter8-controller --tail=200 || true
}

cleanup() {
  local status=$?
  if [ "$SUCCEEDED" != true ] && kubectl config current-context 2>/dev/null | grep -qx "kind-$CLUSTER"; then diagnostics; fi
  if [ "$KEEP" = true ]; then
    log "keeping kind cluster $CLUSTER (kubectl context kind-$CLUSTER); delete it with: kind delete cluster --name $CLUSTER"
  elif [ "$CREATED_CLUSTER" = true ]; then
    log "deleting kind cluster $CLUSTER"
    kind delete cluster --name "$CLUSTER" || true
  elif kubectl config current-context 2>/dev/null | grep -qx "kind-$CLUSTER"; then
    log "removing the experiment and the sample from the reused cluster $CLUSTER"
    kubectl -n "$EXPERIMENT_NAMESPACE" delete experiments.iter8.tools "$EXPERIMENT" --ignore-not-found || true
    kubectl delete -f "$SAMPLE/" --ignore-not-found --wait=false || true
    kubectl -n iter8-system delete deployment,service iter8ts-samples --ignore-not-found || true
    kubectl -n iter8-system delete configmap iter8ts-promote --ignore-not-found || true
  fi
  exit "$status"
}

main() {
  need docker "https://docs.docker.com/get-docker/"
  need kind "https://kind.sigs.k8s.io/docs/user/quick-start/#installation"
  need kubectl "https://kubernetes.io/docs/tasks/tools/"
  need node "Node.js 20.19 or later"
  if [ "$SKIP_BUILD" != true ]; then need pnpm "corepack enable && corepack prepare pnpm@10.34.8 --activate"; fi

  build
  trap cleanup EXIT
  create_cluster
  install_stack
  install_controller
  serve_promotion_manifests
  apply_sample
  apply_metrics
  apply_experiment

  log "waiting up to $TIMEOUT for the experiment to complete with a winner"
  "${ITER8CTL[@]}" assert "$EXPERIMENT" -n "$EXPERIMENT_NAMESPACE" -c completed,winnerFound --timeout "$TIMEOUT"
  "${ITER8CTL[@]}" describe "$EXPERIMENT" -n "$EXPERIMENT_NAMESPACE"

  local served expected
  served="$(promoted_check)"
  expected="$(expected_promotion)"
  [ "$served" = "$expected" ] || die "the finish action did not promote the winner: expected $expected to serve all traffic, found: $served"
  log "promoted: $served serves all traffic"
  SUCCEEDED=true
}

# Sourced (by the tests of packages/e2e) it only defines its functions.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then main; fi
