mod util;

mod completions;
mod errors;
mod find;
mod grep;
mod grep_python;
mod read;
mod replace;
mod replace_properties;
mod seed;
mod slice;
mod special_files;
mod write;
