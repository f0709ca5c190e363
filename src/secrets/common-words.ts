// Words that are guessed first and also appear in ordinary output and config files: a secret
// that is one of them (give or take a few digits or signs) would be found by anyone and, once
// redacted, would blank out every line that uses the word.
export const COMMON_WORDS: ReadonlySet<string> = new Set(
  `password passwort passw passwd pass secret secrets changeme changeit default example examples
  sample test testing tester admin administrator root toor user username login guest master
  letmein welcome hello qwerty qwertyuiop asdf asdfgh asdfghjkl zxcvbn azerty iloveyou monkey
  dragon baseball football soccer hockey batman superman trustno shadow sunshine princess
  starwars whatever freedom computer internet server client service system network matrix
  synapse postgres postgresql database coturn turnserver apache dehydrated freebsd provision
  homeserver element riot federation registration macaroon signing token shared form smtp
  email mail domain example localhost private public secure security access control manager
  config configuration production staging development debug summer winter spring autumn
  january february march april june july august september october november december monday
  tuesday wednesday thursday friday saturday sunday abcdef abcdefgh abcdefghij`
    .split(/\s+/)
    .filter((w) => w !== ""),
);
