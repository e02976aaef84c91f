mod bad_input;
mod cli;
mod seed;
mod shapes;
mod support;
mod web;
