CREATE DATABASE atendimento;
