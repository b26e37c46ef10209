package dev.moat.server;

/**
 * Every configuration key the server reads, with its default and meaning. The AgentScope Runtime names and defaults
 * come first; Moat-only keys start with {@code MOAT_}. The README's configuration table lists exactly these (a test
 * checks it).
 */
public enum Setting {
    HOST("127.0.0.1", "bind address (`0.0.0.0` for external access; needs `BEARER_TOKEN`)"),
    PORT("8000", "HTTP port"),
    WORKERS("1", "server processes; more than 1 needs Redis (not available yet)"),
    DEBUG("False", "verbose logging and error detail"),
    BEARER_TOKEN("", "the API key, accepted as `Authorization: Bearer` and `OPEN-SANDBOX-API-KEY`; empty = no auth"),
    DEFAULT_SANDBOX_TYPE("base", "pooled sandbox types: one, a comma list, or a JSON list"),
    POOL_SIZE("1", "warm sandboxes kept ready per pooled type"),
    AUTO_CLEANUP("True", "remove every sandbox when the server stops"),
    CONTAINER_PREFIX_KEY("agent-runtime-container-", "prefix of sandbox ids (DNS-safe)"),
    CONTAINER_DEPLOYMENT(
            "oci", "backend: `oci` (crun/runc, no daemon) or `gvisor` (runsc); others are not available yet"),
    DEFAULT_MOUNT_DIR(
            "sessions_mount_dir", "host directory holding each sandbox's `/workspace` (one subdirectory each)"),
    READONLY_MOUNTS("", "JSON map of host path to sandbox path, mounted read-only in every sandbox"),
    PORT_RANGE("[49152,59152]", "host ports a backend may allocate for sandbox services"),
    HEARTBEAT_TIMEOUT("300", "seconds without activity after which a session's sandboxes may be reaped"),
    HEARTBEAT_SCAN_INTERVAL("0", "seconds between reaper scans; 0 = no background reaper"),
    HEARTBEAT_LOCK_TTL("120", "TTL in seconds of the reaper lock"),
    MAX_SANDBOX_INSTANCES("0", "cap on live sandboxes, warm ones included; 0 = unlimited"),
    REDIS_ENABLED("False", "share state through Redis (not available yet)"),
    REDIS_SERVER("localhost", "Redis host"),
    REDIS_PORT("6379", "Redis port"),
    REDIS_DB("0", "Redis database"),
    REDIS_USER("", "Redis user"),
    REDIS_PASSWORD("", "Redis password"),
    REDIS_PORT_KEY("_agent_runtime_container_occupied_ports", "Redis key of port reservations"),
    REDIS_CONTAINER_POOL_KEY("_agent_runtime_container_container_pool", "Redis key of the pool queues"),
    FILE_SYSTEM("local", "workspace storage: `local` (`oss` is not available yet)"),
    OSS_ENDPOINT("", "OSS/S3 endpoint"),
    OSS_ACCESS_KEY_ID("", "OSS/S3 access key id"),
    OSS_ACCESS_KEY_SECRET("", "OSS/S3 secret"),
    OSS_BUCKET_NAME("", "OSS/S3 bucket"),
    K8S_NAMESPACE("default", "Kubernetes namespace (`CONTAINER_DEPLOYMENT=k8s`, not available yet)"),
    KUBECONFIG_PATH("", "kubeconfig; empty = in-cluster or `~/.kube/config`"),
    RUNTIME_SANDBOX_REGISTRY("", "registry part of AgentScope image names"),
    RUNTIME_SANDBOX_IMAGE_NAMESPACE(
            "agentscope", "namespace of AgentScope image names (`agentscope/runtime-sandbox-<type>`)"),
    RUNTIME_SANDBOX_IMAGE_TAG("latest", "tag of AgentScope image names"),
    MOAT_HOME("~/.moat", "Moat's state: images, sandbox bundles"),
    MOAT_RUNTIME_DIR("", "the runtime mounted at `/opt/moat` in sandboxes; empty = the one this build made"),
    MOAT_ADMISSION_WAIT_SECONDS("30", "how long a create waits for a free place before it gets 429"),
    MOAT_ADMISSION_QUEUE("1000", "how many creates may wait for a place at once; more get 429 at once"),
    MOAT_READY_TIMEOUT_SECONDS("60", "how long a new sandbox may take until its execd answers"),
    MOAT_POOL_REFILL_CONCURRENCY("2", "how many pool members are created at once"),
    MOAT_MAX_CONCURRENT_CREATES(
            "0", "how many sandboxes (pool members included) are created at once; 0 = max(4, 2 × CPU cores)"),
    MOAT_MAX_TIMEOUT_SECONDS("86400", "the longest `timeout` a create may ask for"),
    MOAT_RETENTION_SECONDS("600", "how long ended sandboxes stay visible in GET and list"),
    MOAT_ALLOWED_HOST_PATHS("", "comma list of host directories `host` volumes may mount; empty = none"),
    MOAT_ALLOW_UNAUTHENTICATED("False", "allow a non-loopback `HOST` without `BEARER_TOKEN` (not recommended)"),
    MOAT_MAX_BODY_BYTES("1048576", "largest JSON request body the lifecycle API accepts");

    private final String defaultValue;
    private final String meaning;

    Setting(String defaultValue, String meaning) {
        this.defaultValue = defaultValue;
        this.meaning = meaning;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String meaning() {
        return meaning;
    }
}
