mod bad_input;
mod cli;
mod decompose;
mod schedules;
mod seed;
mod shapes;
mod support;
mod web;
