/**
 * Images for the {@code oci} backend: the base image recipe ({@link dev.moat.builder.BaseImage}, built with
 * mmdebstrap), import of docker-archives and OCI image layouts ({@link dev.moat.builder.ImageImporter}), export as a
 * docker-archive ({@link dev.moat.builder.ImageExporter}), and the {@code moat image} command that drives them.
 */
package dev.moat.builder;
