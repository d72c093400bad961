package io.captainos.core;

/**
 * One build setting: its Maven property, its environment variable and its default. Every setting of the build is a
 * constant of {@link Settings}, so the names live in one place.
 */
public record Setting(String property, String env, String defaultValue, String description) {}
