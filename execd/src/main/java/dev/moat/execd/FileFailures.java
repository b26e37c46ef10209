package dev.moat.execd;

import dev.moat.http.ApiException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * The one place where a failed file system call becomes an error category: a missing file is FILE_NOT_FOUND, a denied
 * one PERMISSION_DENIED, an existing one CONFLICT, a full disk INSUFFICIENT_STORAGE. Only failures no client can cause
 * (an I/O error of the device) stay RUNTIME_ERROR.
 */
final class FileFailures {

    private FileFailures() {}

    /** The category of {@code failure}, which happened while working on {@code path}. */
    static ApiException of(IOException failure, Path path) {
        String file =
                failure instanceof FileSystemException fs && fs.getFile() != null ? fs.getFile() : path.toString();
        return switch (failure) {
            case NoSuchFileException _ -> ExecdError.FILE_NOT_FOUND.exception("%s does not exist", file);
            case AccessDeniedException _ -> ExecdError.PERMISSION_DENIED.exception("permission denied: %s", file);
            case FileAlreadyExistsException _ -> ExecdError.CONFLICT.exception("%s already exists", file);
            case DirectoryNotEmptyException _ -> ExecdError.CONFLICT.exception("directory %s is not empty", file);
            case NotDirectoryException _ -> ExecdError.FILE_NOT_FOUND.exception("%s is not a directory", file);
            case FileSystemLoopException _ -> ExecdError.INVALID_FILE.exception("%s: symbolic link loop", file);
            case FileSystemException e -> byReason(e.getReason(), file);
            // reads and writes through a channel report errno's text as the message of a plain IOException
            default -> byReason(failure.getMessage(), file);
        };
    }

    /** Other errors of the kernel arrive with the C library's text for errno as their reason. */
    private static ApiException byReason(String text, String file) {
        String reason = text == null || text.isBlank() ? "I/O error" : text;
        ExecdError category;
        if (reason.startsWith("Operation not permitted") || reason.startsWith("Read-only file system")) {
            category = ExecdError.PERMISSION_DENIED;
        } else if (reason.startsWith("No space left") || reason.startsWith("Disk quota exceeded")) {
            category = ExecdError.INSUFFICIENT_STORAGE;
        } else if (reason.startsWith("Not a directory")) {
            category = ExecdError.FILE_NOT_FOUND;
            reason = "a parent of it is not a directory";
        } else if (reason.startsWith("Device or resource busy") || reason.startsWith("Text file busy")) {
            category = ExecdError.CONFLICT;
        } else if (reason.startsWith("File name too long")
                || reason.startsWith("Too many levels of symbolic links")
                || reason.startsWith("Is a directory")
                || reason.startsWith("Invalid argument")) {
            category = ExecdError.INVALID_FILE;
        } else {
            category = ExecdError.RUNTIME_ERROR;
        }
        return category.exception("%s: %s", file, reason);
    }
}
