#!/usr/bin/env bash
# Static checks of the cluster manifests (no Docker daemon or cluster needed, a second or so):
#   - every YAML file under infra/ parses;
#   - docker-compose.yml: services have a pinned image or a build, dependencies and named volumes exist,
#     the worker has replicas and the Temporal/S3 environment;
#   - k8s/: every object has apiVersion/kind/metadata.name, Deployment selectors match their pod labels,
#     containers have resource requests and limits, referenced ConfigMaps/Secrets and the HPA target exist,
#     kustomization.yaml lists existing files;
#   - the Dockerfile's base images are pinned and Debian-based.
# When available, `docker compose config` and `kubectl kustomize` also render the files.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

PYTHON=/usr/bin/python3
"$PYTHON" -c 'import yaml' 2>/dev/null ||
  { echo "check-manifests: $PYTHON lacks PyYAML (python3-yaml); run infra/install-tools.sh" >&2; exit 1; }

"$PYTHON" - <<'PY'
import glob, os, re, sys
import yaml

errors = []
def err(path, msg):
    errors.append(f"{path}: {msg}")

IMAGE_PINNED = re.compile(r"^[^\s:@]+(?:/[^\s:@]+)*(?::(?!latest$)[\w][\w.-]*)(?:@sha256:[0-9a-f]{64})?$")
def pinned(image):
    # A variable with a default (${X:-1.2}) counts as pinned when the default is.
    image = re.sub(r"\$\{[A-Z_]+:-([^}]+)\}", r"\1", image)
    return bool(IMAGE_PINNED.match(image))

docs = {}
for path in sorted(glob.glob("**/*.y*ml", recursive=True)):
    if not path.endswith((".yml", ".yaml")):
        continue
    try:
        with open(path) as f:
            docs[path] = [d for d in yaml.safe_load_all(f) if d is not None]
    except yaml.YAMLError as e:
        err(path, f"does not parse: {e}")

# --- compose -------------------------------------------------------------------------------------
compose_path = "compose/docker-compose.yml"
compose = (docs.get(compose_path) or [None])[0]
if not isinstance(compose, dict) or not isinstance(compose.get("services"), dict):
    err(compose_path, "no services mapping")
else:
    services = compose["services"]
    volumes = compose.get("volumes") or {}
    for name, svc in services.items():
        where = f"{compose_path}: services.{name}"
        if not isinstance(svc, dict):
            errors.append(f"{where}: not a mapping"); continue
        image, build = svc.get("image"), svc.get("build")
        if image is None and build is None:
            errors.append(f"{where}: neither image nor build")
        if image is not None and build is None and not pinned(str(image)):
            errors.append(f"{where}: image {image!r} is not pinned to a tag")
        if isinstance(build, dict):
            ctx = os.path.normpath(os.path.join("compose", build.get("context", ".")))
            dockerfile = os.path.join(ctx, build.get("dockerfile", "Dockerfile"))
            if not os.path.isfile(dockerfile):
                errors.append(f"{where}: build dockerfile {dockerfile} not found")
        deps = svc.get("depends_on") or {}
        for dep in (deps if isinstance(deps, (list, dict)) else []):
            if dep not in services:
                errors.append(f"{where}: depends_on unknown service {dep!r}")
        if isinstance(deps, dict):
            for dep, cond in deps.items():
                c = (cond or {}).get("condition", "service_started")
                if c not in ("service_started", "service_healthy", "service_completed_successfully"):
                    errors.append(f"{where}: depends_on.{dep} has unknown condition {c!r}")
                if c == "service_healthy" and dep in services and "healthcheck" not in services[dep]:
                    errors.append(f"{where}: waits for {dep} to be healthy, but {dep} has no healthcheck")
        for vol in svc.get("volumes") or []:
            src = vol.split(":", 1)[0] if isinstance(vol, str) else (vol or {}).get("source", "")
            if src.startswith((".", "/")):
                if src.startswith(".") and not os.path.exists(os.path.join("compose", src)):
                    errors.append(f"{where}: bind mount source {src} not found")
            elif src and src not in volumes:
                errors.append(f"{where}: named volume {src!r} not declared under volumes")
        env = svc.get("environment") or {}
        if not isinstance(env, (dict, list)):
            errors.append(f"{where}: environment must be a mapping or a list")
    worker = services.get("tessera-worker")
    if not isinstance(worker, dict):
        err(compose_path, "no tessera-worker service")
    else:
        replicas = ((worker.get("deploy") or {}).get("replicas"))
        if replicas is None or not re.fullmatch(r"\d+|\$\{[A-Z_]+:-\d+\}", str(replicas)):
            err(compose_path, f"tessera-worker deploy.replicas is {replicas!r}")
        env = worker.get("environment") or {}
        for key in ("TEMPORAL_ADDRESS", "AWS_ENDPOINT_URL_S3", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"):
            if key not in env:
                err(compose_path, f"tessera-worker environment lacks {key}")
    for needed in ("postgresql", "temporal", "temporal-ui", "minio"):
        if needed not in services:
            err(compose_path, f"no {needed} service")

# --- kubernetes ----------------------------------------------------------------------------------
objects = []
for path, ds in docs.items():
    if not path.startswith("k8s/"):
        continue
    for d in ds:
        where = path
        if not isinstance(d, dict):
            err(where, "document is not a mapping"); continue
        if d.get("kind") == "Kustomization":
            for res in d.get("resources") or []:
                if not os.path.exists(os.path.join("k8s", res)):
                    err(where, f"resource {res} not found")
            continue
        for key in ("apiVersion", "kind"):
            if not d.get(key):
                err(where, f"object without {key}")
        name = (d.get("metadata") or {}).get("name")
        if not name:
            err(where, f"{d.get('kind')} without metadata.name")
        objects.append((path, d))

def defined(kind, name):
    return any(d.get("kind") == kind and d["metadata"].get("name") == name for _, d in objects)

for path, d in objects:
    kind, spec = d.get("kind"), d.get("spec") or {}
    name = d["metadata"].get("name")
    where = f"{path}: {kind}/{name}"
    if kind == "Deployment":
        if d.get("apiVersion") != "apps/v1":
            errors.append(f"{where}: apiVersion should be apps/v1")
        selector = (spec.get("selector") or {}).get("matchLabels") or {}
        labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
        if not selector:
            errors.append(f"{where}: no spec.selector.matchLabels")
        for k, v in selector.items():
            if labels.get(k) != v:
                errors.append(f"{where}: selector {k}={v} does not match the pod template labels")
        pod = (spec.get("template") or {}).get("spec") or {}
        containers = pod.get("containers") or []
        if not containers:
            errors.append(f"{where}: no containers")
        volumes = {v.get("name") for v in pod.get("volumes") or []}
        for c in containers:
            cw = f"{where}: container {c.get('name')}"
            if not c.get("image"):
                errors.append(f"{cw}: no image")
            res = c.get("resources") or {}
            for part in ("requests", "limits"):
                for r in ("cpu", "memory"):
                    if r not in (res.get(part) or {}):
                        errors.append(f"{cw}: no resources.{part}.{r}")
            for src in c.get("envFrom") or []:
                for key, kind_ in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
                    ref = src.get(key)
                    if ref and not defined(kind_, ref.get("name")):
                        errors.append(f"{cw}: {key} {ref.get('name')!r} is defined nowhere under k8s/")
            for m in c.get("volumeMounts") or []:
                if m.get("name") not in volumes:
                    errors.append(f"{cw}: volumeMount {m.get('name')!r} has no volume")
    elif kind == "HorizontalPodAutoscaler":
        if d.get("apiVersion") != "autoscaling/v2":
            errors.append(f"{where}: apiVersion should be autoscaling/v2")
        target = spec.get("scaleTargetRef") or {}
        if not defined(target.get("kind"), target.get("name")):
            errors.append(f"{where}: scaleTargetRef {target.get('kind')}/{target.get('name')} is defined nowhere")
        if not spec.get("metrics"):
            errors.append(f"{where}: no metrics")
        lo, hi = spec.get("minReplicas", 1), spec.get("maxReplicas")
        if not isinstance(hi, int) or hi < lo:
            errors.append(f"{where}: maxReplicas {hi!r} below minReplicas {lo!r}")

for kind in ("Deployment", "HorizontalPodAutoscaler", "ConfigMap", "Secret"):
    if not any(d.get("kind") == kind for _, d in objects):
        errors.append(f"k8s/: no {kind}")

# --- Dockerfile ----------------------------------------------------------------------------------
dockerfile = "docker/Dockerfile"
with open(dockerfile) as f:
    text = f.read()
args = dict(re.findall(r"^ARG\s+(\w+)=(\S+)", text, re.M))
froms = re.findall(r"^FROM\s+(\S+)", text, re.M)
if not froms:
    err(dockerfile, "no FROM")
for image in froms:
    image = re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), m.group(0)), image)
    if image in ("scratch",):
        continue
    if not pinned(image):
        err(dockerfile, f"base image {image} is not pinned")
    if "alpine" in image:
        err(dockerfile, f"base image {image} is musl-based; Temporal's core-bridge needs glibc")
if not re.search(r"^(CMD|ENTRYPOINT)\s", text, re.M):
    err(dockerfile, "no CMD or ENTRYPOINT")

if errors:
    print("check-manifests: " + str(len(errors)) + " problem(s):", file=sys.stderr)
    for e in errors:
        print("  " + e, file=sys.stderr)
    sys.exit(1)
PY

if docker compose version >/dev/null 2>&1; then
  docker compose -f compose/docker-compose.yml config --quiet
fi
if command -v kubectl >/dev/null; then
  kubectl kustomize k8s >/dev/null
fi
