// The repository's lint rules, read from this package's folder: the root's `test/**` exception
// (tests poke at untyped JSON answers) then covers this package's own tests.
import root from '../eslint.config.js';

export default root;
