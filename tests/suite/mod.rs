mod properties;
mod util;

mod colour;
mod errors;
mod faults;
mod find;
mod generated;
mod grep;
mod grep_python;
mod help;
mod read;
mod replace;
mod replace_properties;
mod seed;
mod slice;
mod special_files;
mod write;
