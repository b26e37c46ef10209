package dev.moat.backend.oci;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The seccomp filter of every sandbox ({@code seccomp.json} beside this class, in OCI format): an allow-list modelled
 * on Docker's default profile. Anything not listed fails with EPERM. Not allowed, among others: {@code mount},
 * {@code umount2}, the new mount API, {@code pivot_root}, {@code unshare}, {@code setns}, {@code init_module},
 * {@code finit_module}, {@code delete_module}, {@code kexec_load}, {@code bpf}, {@code perf_event_open},
 * {@code keyctl}/{@code add_key}/{@code request_key}, {@code open_by_handle_at}, {@code userfaultfd},
 * {@code io_uring_*}, {@code reboot}, {@code swapon}, {@code syslog}, {@code acct}, clock and time setting,
 * {@code sethostname}. {@code clone} is allowed only without namespace flags, {@code clone3} answers ENOSYS (so libc
 * falls back to {@code clone}), {@code socket} refuses {@code AF_VSOCK}, and {@code personality} accepts only the
 * harmless personas.
 */
final class SeccompProfile {

    private SeccompProfile() {}

    /** The profile with the architectures of this host filled in, ready for {@code linux.seccomp}. */
    static ObjectNode forHost(ObjectMapper json) {
        ObjectNode profile;
        try (InputStream in = SeccompProfile.class.getResourceAsStream("seccomp.json")) {
            if (in == null) {
                throw new IllegalStateException("seccomp.json is missing from the backend-oci jar");
            }
            profile = (ObjectNode) json.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the seccomp profile", e);
        }
        var architectures = profile.putArray("architectures");
        switch (System.getProperty("os.arch")) {
            case "aarch64" -> architectures.add("SCMP_ARCH_AARCH64").add("SCMP_ARCH_ARM");
            default ->
                architectures.add("SCMP_ARCH_X86_64").add("SCMP_ARCH_X86").add("SCMP_ARCH_X32");
        }
        return profile;
    }
}
