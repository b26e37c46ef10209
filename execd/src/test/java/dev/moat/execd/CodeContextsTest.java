package dev.moat.execd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.protocol.CodeContext;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The context routes: create, get, list, delete one or by language, and how they refuse bad input. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CodeContextsTest {

    @RegisterExtension
    static final PythonExecd execd = new PythonExecd();

    @Test
    void createdContextIsFoundByIdAndListedUnderItsLanguage() throws Exception {
        String id = execd.code().createContext("python");

        ExecdClient.Response get = execd.client().get("/code/contexts/" + id);
        assertThat(get.status()).isEqualTo(200);
        assertThat(get.json(CodeContext.class)).isEqualTo(new CodeContext(id, "python"));
        assertThat(execd.code().list("?language=python")).contains(new CodeContext(id, "python"));
        assertThat(execd.code().list("")).contains(new CodeContext(id, "python"));
        assertThat(CodeApi.kernelPid(id)).isPresent();
    }

    @Test
    void languageMayBeGivenByKernelNameOrInAnyCase() throws Exception {
        String byName = execd.code().createContext("python3");
        String upper = execd.code().createContext("Python");

        assertThat(execd.code().list("?language=python"))
                .contains(new CodeContext(byName, "python"), new CodeContext(upper, "python"));
        assertThat(execd.code().list("?language=python3")).contains(new CodeContext(byName, "python"));
    }

    @Test
    void deletingContextShutsItsKernelDown() throws Exception {
        String id = execd.code().createContext("python");
        long pid = CodeApi.kernelPid(id).orElseThrow();

        assertThat(execd.client().delete("/code/contexts/" + id).status()).isEqualTo(200);

        assertThat(CodeApi.processGone(pid))
                .as("kernel process %d is gone when delete answers", pid)
                .isTrue();
        assertThat(execd.client().get("/code/contexts/" + id).status()).isEqualTo(404);
        assertThat(execd.code().list("")).extracting(CodeContext::id).doesNotContain(id);
        assertThat(execd.client().delete("/code/contexts/" + id).status()).isEqualTo(404);
    }

    @Test
    void deletingByLanguageShutsDownEveryContextOfThatLanguage() throws Exception {
        String first = execd.code().createContext("python");
        String second = execd.code().createContext("python");
        CodeApi.assertCompleted(execd.code().runInLanguage("python", "1"));
        List<Long> pids = execd.code().list("?language=python").stream()
                .map(context -> CodeApi.kernelPid(context.id()).orElseThrow())
                .toList();
        assertThat(pids).hasSizeGreaterThanOrEqualTo(3);

        assertThat(execd.client().delete("/code/contexts?language=python").status())
                .isEqualTo(200);

        assertThat(execd.code().list("?language=python")).isEmpty();
        assertThat(pids).allMatch(CodeApi::processGone);
        assertThat(execd.client().get("/code/contexts/" + first).status()).isEqualTo(404);
        assertThat(execd.client().get("/code/contexts/" + second).status()).isEqualTo(404);
        // the default context comes back on the next run that names only the language
        CodeApi.assertCompleted(execd.code().runInLanguage("python", "1"));
        assertThat(execd.code().list("?language=python")).hasSize(1);
    }

    @Test
    void unknownContextIs404WithContextNotFound() throws Exception {
        for (ExecdClient.Response response : List.of(
                execd.client().get("/code/contexts/no-such-context"),
                execd.client().delete("/code/contexts/no-such-context"),
                execd.client().delete("/code?id=no-such-context"),
                execd.client().post("/code", Map.of("context", Map.of("id", "no-such-context"), "code", "1")))) {
            assertThat(response.status()).isEqualTo(404);
            assertThat(response.error().code()).isEqualTo("CONTEXT_NOT_FOUND");
            assertThat(response.error().message()).contains("no-such-context");
        }
    }

    @Test
    void unknownLanguageIs400NamingTheLanguagesAvailable() throws Exception {
        ExecdClient.Response create = execd.client().post("/code/context", new CodeContext(null, "cobol"));
        assertThat(create.status()).isEqualTo(400);
        assertThat(create.error().code()).isEqualTo("INVALID_REQUEST_BODY");
        assertThat(create.error().message()).contains("cobol").contains("python (python3)");

        for (ExecdClient.Response response : List.of(
                execd.client().get("/code/contexts?language=cobol"),
                execd.client().delete("/code/contexts?language=cobol"))) {
            assertThat(response.status()).isEqualTo(400);
            assertThat(response.error().code()).isEqualTo("MISSING_QUERY");
            assertThat(response.error().message()).contains("cobol").contains("python");
        }
    }

    @Test
    void creatingWithoutLanguageIs400() throws Exception {
        for (String body : List.of("{}", "{\"language\":\"\"}", "{\"language\":null}")) {
            ExecdClient.Response response = execd.client().postRaw("/code/context", body);
            assertThat(response.status()).as(body).isEqualTo(400);
            assertThat(response.error().message()).contains("language").contains("python");
        }
    }

    @Test
    void malformedContextBodiesAre400() throws Exception {
        for (String body : List.of("", "{", "[]", "\"python\"", "{\"language\":5}", "{\"language\":[\"python\"]}")) {
            ExecdClient.Response response = execd.client().postRaw("/code/context", body);
            assertThat(response.status()).as(body).isEqualTo(400);
            assertThat(response.error().code()).as(body).isEqualTo("INVALID_REQUEST_BODY");
        }
    }

    @Test
    void bulkDeleteAndInterruptNeedTheirQueryParameter() throws Exception {
        for (String path : List.of("/code/contexts", "/code/contexts?language=", "/code", "/code?id=")) {
            ExecdClient.Response response = execd.client().delete(path);
            assertThat(response.status()).as(path).isEqualTo(400);
            assertThat(response.error().code()).as(path).isEqualTo("MISSING_QUERY");
        }
    }
}
